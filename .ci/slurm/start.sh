#!/usr/bin/env bash
# Starts a single-node Slurm cluster on localhost for CI: munged, slurmctld and slurmd, every file of theirs
# under STATE_DIR (created; default: a new temporary directory). Needs root and the Debian packages
# slurmctld slurmd slurm-client munge (Slurm 22.05). On success prints the directory and writes STATE_DIR/env
# (`export SLURM_CONF=…`) for the clients; on failure writes the reason to STATE_DIR/unavailable, stops what it
# started and exits 1. Stop it with: .ci/slurm/stop.sh STATE_DIR (kills the daemons by their pids).
#   usage: .ci/slurm/start.sh [STATE_DIR]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="${1:-$(mktemp -d /tmp/twsa-slurm.XXXXXX)}"
mkdir -p "$state" && state="$(cd "$state" && pwd)"
t0=$(date +%s.%N)
fail() {
  echo "$1" >"$state/unavailable"
  echo "slurm: not started: $1" >&2
  "$here/stop.sh" "$state" --keep >/dev/null 2>&1
  exit 1
}
rm -f "$state/unavailable" "$state/env"
[ "$(id -u)" = 0 ] || fail "needs root (SlurmUser=root), running as uid $(id -u)"
for b in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$b" >/dev/null 2>&1 || fail "'$b' not installed (apt-get install -y slurmctld slurmd slurm-client munge)"
done
host="$(hostname -s 2>/dev/null || hostname)"
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
mem_mb=$(((mem_kb / 1024) * 9 / 10))
mkdir -p "$state/munge" "$state/ctld" "$state/spool" "$state/log"
chmod 700 "$state/munge"
# Accounting (sacct) when slurmdbd and MariaDB are installed, unless TWSA_SLURM_ACCOUNTING=0.
accounting=0
if [ "${TWSA_SLURM_ACCOUNTING:-1}" != 0 ] && command -v slurmdbd >/dev/null 2>&1 &&
  command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1; then
  accounting=1
fi
dbd_port="${TWSA_SLURMDBD_PORT:-6819}"
db_port="${TWSA_SLURM_DB_PORT:-3307}"
acct_type=accounting_storage/none
[ "$accounting" = 1 ] && acct_type=accounting_storage/slurmdbd
write_conf() {
  sed -e "s|@STATE@|$state|g" -e "s|@HOST@|$host|g" -e "s|@MEM_MB@|$mem_mb|g" \
    -e "s|@CTLD_PORT@|${TWSA_SLURMCTLD_PORT:-6817}|g" -e "s|@SLURMD_PORT@|${TWSA_SLURMD_PORT:-6818}|g" \
    -e "s|@ACCT_TYPE@|$acct_type|g" -e "s|@DBD_PORT@|$dbd_port|g" \
    "$here/slurm.conf.in" >"$state/slurm.conf"
}
write_conf
export SLURM_CONF="$state/slurm.conf"
# Accounting is optional: when MariaDB or slurmdbd cannot start, stop them (by pid) and go on without sacct.
acct_fail() {
  echo "slurm: accounting not started ($1); continuing without sacct" >&2
  echo "$1" >"$state/accounting-unavailable"
  for f in slurmdbd mariadbd; do
    p="$(cat "$state/$f.pid" 2>/dev/null)"
    [ -n "$p" ] && kill -TERM "$p" 2>/dev/null
  done
  sleep 1
  accounting=0
  acct_type=accounting_storage/none
  write_conf
}

mungekey --create --keyfile="$state/munge/munge.key" --force >"$state/log/mungekey.log" 2>&1 ||
  fail "mungekey failed: $(tail -1 "$state/log/mungekey.log")"
munged --force --socket="$state/munge/munge.socket" --key-file="$state/munge/munge.key" \
  --pid-file="$state/munged.pid" --log-file="$state/log/munged.log" --seed-file="$state/munge/munged.seed" \
  >"$state/log/munged.out" 2>&1 || fail "munged failed: $(tail -2 "$state/log/munged.out" "$state/log/munged.log" 2>/dev/null | tr '\n' ' ')"

start_accounting() {
  # MariaDB on 127.0.0.1:$db_port with its files under STATE/db, then slurmdbd on $dbd_port.
  mkdir -p "$state/db"
  mariadb-install-db --user=root --datadir="$state/db/data" --auth-root-authentication-method=socket \
    --skip-test-db >"$state/log/mariadb-install.log" 2>&1 || { acct_fail "mariadb-install-db failed: $(tail -2 "$state/log/mariadb-install.log" | tr '\n' ' ')"; return 1; }
  mariadbd --user=root --datadir="$state/db/data" --socket="$state/db/mysql.sock" --port="$db_port" \
    --bind-address=127.0.0.1 --pid-file="$state/mariadbd.pid" --log-error="$state/log/mariadbd.log" \
    --innodb-buffer-pool-size=64M >/dev/null 2>&1 &
  local mpid=$!
  for _ in $(seq 1 60); do
    mariadb --socket="$state/db/mysql.sock" -uroot -e 'select 1' >/dev/null 2>&1 && break
    kill -0 "$mpid" 2>/dev/null || break # it exited (port taken, …): the grant below fails with its log
    sleep 0.5
  done
  mariadb --socket="$state/db/mysql.sock" -uroot -e "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'twsa-ci'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;" \
    >"$state/log/mariadb-grant.log" 2>&1 || { acct_fail "MariaDB did not start: $(tail -3 "$state/log/mariadbd.log" 2>/dev/null | tr '\n' ' ')"; return 1; }
  cat >"$state/slurmdbd.conf" <<DBD
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
DbdAddr=127.0.0.1
DbdHost=$host
DbdPort=$dbd_port
SlurmUser=root
LogFile=$state/log/slurmdbd.log
PidFile=$state/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=twsa-ci
StorageLoc=slurm_acct_db
DBD
  chmod 600 "$state/slurmdbd.conf"
  # slurmdbd reads slurmdbd.conf beside $SLURM_CONF.
  slurmdbd >"$state/log/slurmdbd.out" 2>&1 ||
    { acct_fail "slurmdbd failed: $(tail -3 "$state/log/slurmdbd.log" 2>/dev/null | tr '\n' ' ')"; return 1; }
  for _ in $(seq 1 60); do
    sacctmgr -n list cluster >/dev/null 2>&1 && break
    sleep 0.5
  done
  sacctmgr -i add cluster twsa-ci >"$state/log/sacctmgr.log" 2>&1 ||
    grep -q "already exists" "$state/log/sacctmgr.log" ||
    { acct_fail "sacctmgr add cluster failed: $(tail -2 "$state/log/sacctmgr.log" | tr '\n' ' ')"; return 1; }
}
if [ "$accounting" = 1 ]; then start_accounting || true; fi
slurmctld -f "$state/slurm.conf" >"$state/log/slurmctld.out" 2>&1 ||
  fail "slurmctld failed: $(tail -3 "$state/log/slurmctld.log" 2>/dev/null | tr '\n' ' ')"
slurmd -f "$state/slurm.conf" -N "$host" >"$state/log/slurmd.out" 2>&1 ||
  fail "slurmd failed: $(tail -3 "$state/log/slurmd.log" 2>/dev/null | tr '\n' ' ')"

# Ready when the node is idle (or mixed/allocated) in the partition.
for _ in $(seq 1 120); do
  st="$(sinfo -h -N -o '%T' 2>/dev/null | head -1)"
  case "$st" in idle* | mixed* | allocated*) break ;; esac
  sleep 0.5
done
case "$st" in
idle* | mixed* | allocated*) ;;
*) fail "node not ready after 60 s (state '${st:-none}'): $(tail -3 "$state/log/slurmd.log" 2>/dev/null | tr '\n' ' ')" ;;
esac
echo "export SLURM_CONF=$state/slurm.conf" >"$state/env"
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "$secs" >"$state/startup-seconds"
echo "slurm: single-node cluster '$host' (CPUs=2, partition ci, accounting $([ "$accounting" = 1 ] && echo "slurmdbd+MariaDB: sacct works" || echo "none: sacct disabled")) up in $secs s; state $state; SLURM_CONF=$state/slurm.conf"
