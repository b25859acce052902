// Spawns the real CLI (as `npx twsa` would, from sources) for help, usage and bad-input paths: fast ones only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'packages', 'reconstruct', 'src', 'cli.ts');
const base = mkdtempSync(join(tmpdir(), 'twsa-cli-'));

function twsa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=twsa-source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('twsa CLI', () => {
  it('prints help for the program and for each command', () => {
    const main = twsa('--help');
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/Usage: twsa <command>/);
    for (const [cmd, pattern] of [
      ['run', /--profile smoke\|quick\|paper/],
      ['prepare', /twsa prepare --out/],
      ['models', /twsa models --json/],
      ['grid', /twsa grid reproject/],
      ['data', /twsa data baseline/],
      ['predict', /twsa predict <run-dir> --from YYYY-MM --to YYYY-MM/],
      ['basin', /twsa basin series --run/],
    ] as const) {
      const r = twsa(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(pattern);
    }
  });
  it('rejects unknown commands, unknown flags and bad config values with exit 2 and one line', () => {
    const unknown = twsa('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const flag = twsa('run', '--epochs', '3');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--epochs'/);
    const cfgFile = join(base, 'bad.yaml');
    writeFileSync(cfgFile, 'train:\n  epochs: x\n');
    const cfg = twsa('run', '--config', cfgFile, '--out', join(base, 'r1'));
    expect(cfg.code).toBe(2);
    expect(cfg.stderr.trim()).toBe('twsa: config error: train.epochs: expected integer ≥ 1, got "x"');
    const key = join(base, 'key.json');
    writeFileSync(key, '{"models": {"name": ["dcae"]}}');
    expect(twsa('run', '--config', key, '--out', join(base, 'r2')).stderr).toMatch(/models\.name: unknown key/);
    expect(existsSync(join(base, 'r1'))).toBe(false);
    expect(existsSync(join(base, 'r1.incomplete'))).toBe(false);
  });
  it('predict: usage errors exit 2; a folder without a run exits 1 naming it', () => {
    expect(twsa('predict').stderr).toMatch(/twsa predict needs a run folder/);
    const noMonths = twsa('predict', base);
    expect(noMonths.code).toBe(2);
    expect(noMonths.stderr).toMatch(/needs --from YYYY-MM and --to YYYY-MM/);
    expect(twsa('predict', base, '--from', '2017-07', '--to', '2019-12', '--model', 'unet').stderr).toMatch(
      /--model expects one of seunet, pix2pix, dcae, convlstm, got 'unet'/,
    );
    const noRun = twsa('predict', join(base, 'nothing'), '--from', '2017-07', '--to', '2019-12', '--quiet');
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/No run to resume at/);
  });
  it('refuses an existing output folder and missing input files, writing nothing', () => {
    const out = join(base, 'exists');
    mkdirSync(out);
    const r = twsa('run', '--profile', 'smoke', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `twsa: output directory '${out}' already exists: choose another --out, or pass --overwrite to replace it`,
    );
    expect(r.stderr).not.toMatch(/overwrite: true/);
    const missing = twsa('run', '--grace', join(base, 'nope.nc'), '--lsm', 'emulate', '--out', join(base, 'r3'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--grace: '.*nope\.nc' does not exist/);
    const lsmOnly = twsa('run', '--lsm', 'emulate', '--out', join(base, 'r4'));
    expect(lsmOnly.code).toBe(2);
    expect(lsmOnly.stderr).toMatch(/data\.lsm: needs data\.grace/);
    expect(readdirSync(base).filter((f) => f.startsWith('r'))).toEqual([]);
  });
  it('grid upscale/reproject refuse an existing --out file naming --overwrite (not the library option), and replace it with --overwrite', async () => {
    const { createGrid, writeGeoTiff } = await import('@twsa/grid');
    const input = join(base, 'in.tif');
    const existing = join(base, 'existing.tif');
    const spec = { shape: [4, 4] as const, bounds: [-100, 50, -96, 54] as const, crs: 'EPSG:4326' };
    await writeGeoTiff(input, createGrid(new Float32Array(16).fill(1), spec));
    await writeGeoTiff(existing, createGrid(new Float32Array(16).fill(7), spec));
    for (const args of [
      ['upscale', input, '--factor', '2'],
      ['reproject', input, '--to', 'canada-lcc-110km'],
    ]) {
      const r = twsa('grid', ...args, '--out', existing);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `twsa: output file '${existing}' already exists: choose another --out, or pass --overwrite to replace it`,
      );
    }
    const ok = twsa('grid', 'upscale', input, '--factor', '2', '--out', existing, '--overwrite');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/wrote .*existing\.tif \(2×2\)/);
  });
  it('run --estimate-only prints one timed step per model and the total, writes nothing, needs no --out', () => {
    const before = readdirSync(base).sort();
    const r = twsa('run', '--profile', 'smoke', '--estimate-only', '--backend', 'wasm');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^smoke profile on the 'wasm' backend: about \d+[hms].* of training \(estimated in /);
    for (const m of ['seunet', 'pix2pix', 'dcae'])
      expect(r.stdout).toMatch(
        new RegExp(
          `  ${m} +[\\d.]+ ?s/step × 3 steps × 1 epochs = .*\\(timed step, after a warm-up step; peak tensor memory ≈ \\d+ MiB\\)`,
        ),
      );
    expect(r.stdout).toMatch(
      / {2}convlstm .*\(timed step on the full 3-frame sequence; peak tensor memory ≈ \d+ MiB\)/,
    );
    expect(r.stderr).toMatch(/timing one convlstm training step \(3-frame sequence\)/);
    expect(readdirSync(base).sort()).toEqual(before);
    expect(twsa('train', join(base, 'x'), '--estimate-only').stderr).toMatch(/--estimate-only belongs to 'twsa run'/);
    expect(twsa('run', '--help').stdout).toMatch(/--estimate-only +print how long training would take/);
  });
  it('needs a run folder for single stages and an input for grid commands', () => {
    expect(twsa('train').stderr).toMatch(/needs a run folder/);
    const none = twsa('evaluate', join(base, 'no-run'));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No run to resume/);
    const info = twsa('grid', 'info', join(base, 'none.tif'));
    expect(info.code).toBe(1);
    expect(info.stderr).toMatch(/does not exist/);
    expect(twsa('grid', 'upscale', join(base, 'none.tif')).stderr).toMatch(/needs --out/);
    expect(twsa('grid', 'warp', 'x').stderr).toMatch(/unknown grid command 'warp'/);
    expect(twsa('data', 'baseline', '--grace', 'x.nc').stderr).toMatch(/needs --lsm emulate/);
  });
  it('ensembles: help for member/status/collect, and flag errors before any work (exit 2, nothing written)', () => {
    for (const [cmd, pattern] of [
      ['member', /twsa member <run-dir> --model <name> --seed <n>/],
      ['status', /pending \(queued, or requeued/],
      ['collect', /mean ± sd over seeds/],
    ] as const) {
      const r = twsa(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(pattern);
    }
    const out = join(base, 'ens');
    for (const [args, message] of [
      [['--seeds', '2', '--slurm-time', '01:00:00'], /--slurm-time needs --executor slurm/],
      [['--seeds', '2', '--executor', 'pbs'], /--executor expects local or slurm, got 'pbs'/],
      [['--seeds', '0'], /seeds: expected integer ≥ 1/],
      [['--executor', 'slurm', '--jobs', '2'], /--jobs is for the local executor/],
      [['--executor', 'slurm', '--slurm-time', 'dcae=1 hour'], /expected a Slurm time/],
    ] as const) {
      const r = twsa('run', '--profile', 'smoke', '--out', out, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    const member = twsa('member', base, '--model', 'unet', '--seed', '1');
    expect(member.code).toBe(2);
    expect(member.stderr).toMatch(/--model expects one of seunet, pix2pix, dcae, convlstm, got 'unet'/);
    const status = twsa('status', join(base, 'nothing-here'));
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/No run to resume at/);
  });
});
