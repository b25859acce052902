#!/usr/bin/env bash
# Stops the cluster started by start.sh: cancels its jobs, then kills slurmd, slurmctld and munged by the pids in
# STATE_DIR (TERM, then KILL after 10 s), and the job steps slurmd left behind (processes whose environment
# names this cluster's SLURM_CONF). Never fails; safe to call twice or after a failed start.
#   usage: .ci/slurm/stop.sh STATE_DIR [--keep]   (--keep: leave STATE_DIR and its logs in place)
set -u
state="${1:?usage: stop.sh STATE_DIR [--keep]}"
[ -d "$state" ] || exit 0
state="$(cd "$state" && pwd)"
conf="$state/slurm.conf"
if [ -f "$state/env" ] && command -v scancel >/dev/null 2>&1; then
  SLURM_CONF="$conf" timeout 10 scancel --full --quiet --user=root >/dev/null 2>&1
  for _ in $(seq 1 10); do
    [ -z "$(SLURM_CONF="$conf" timeout 5 squeue -h -t running,completing 2>/dev/null)" ] && break
    sleep 1
  done
fi
# Job steps and their children: processes started under this cluster carry SLURM_CONF in their environment.
# Job steps and their children: slurmstepd (started by slurmd with this SLURM_CONF) and the job processes (with
# SLURM_JOB_ID too). This script and its ancestors are never candidates, whatever their environment.
ancestors=" "
p=$$
while [ -n "$p" ] && [ "$p" != 0 ]; do
  ancestors+="$p "
  p="$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)"
done
steps=()
for e in /proc/[0-9]*/environ; do
  pid="${e#/proc/}" && pid="${pid%/environ}"
  case "$ancestors" in *" $pid "*) continue ;; esac
  env="$(tr '\0' '\n' 2>/dev/null <"$e")" || continue
  grep -qx "SLURM_CONF=$conf" <<<"$env" || continue
  if grep -q '^SLURM_JOB_ID=' <<<"$env" || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slurmstepd ]; then
    steps+=("$pid")
  fi
done
pids=()
for f in slurmd slurmctld slurmdbd mariadbd munged; do
  p="$(cat "$state/$f.pid" 2>/dev/null)"
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && pids+=("$p")
done
all=("${steps[@]}" "${pids[@]}")
[ ${#all[@]} -gt 0 ] && kill -TERM "${all[@]}" 2>/dev/null
for _ in $(seq 1 20); do
  alive=()
  for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.5
done
[ ${#all[@]} -gt 0 ] && kill -KILL "${all[@]}" 2>/dev/null
echo "slurm: stopped (pids ${all[*]:-none})"
if [ "${2:-}" != "--keep" ]; then rm -rf "$state"; fi
exit 0
