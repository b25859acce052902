// A corpus of bad and hostile inputs for the `twsa` CLI, written into a directory at test time (small files, made with
// @twsa/grid's own NetCDF-3 and GeoTIFF writers or as raw bytes), with what each must give: a refusal that names the
// file (or path), or a correct result. Used by bad-inputs.test.ts (next to it); scripts/fixtures/bad-inputs.ts writes
// the files and prints one `twsa …` command per case, to run them by hand.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createGrid, createStack, writeGeoTiff, writeNetcdf, type GridStack } from '@twsa/grid';

/** What a case must give. */
export type Expectation =
  | { readonly kind: 'refused'; readonly names: string; readonly match?: RegExp }
  | { readonly kind: 'ok'; readonly stdout?: RegExp };

/** One case of the corpus: a class of failure, the CLI arguments and what must happen. */
export interface BadInputCase {
  readonly id: string;
  /** The failure class of issue 13 it belongs to. */
  readonly class:
    | 'overwrite'
    | 'lock'
    | 'implausible'
    | 'time-steps'
    | 'nameless'
    | 'non-regular'
    | 'arguments'
    | 'unwritable'
    | 'control';
  readonly argv: readonly string[];
  readonly expect: Expectation;
}

const MONTHS = 60; // 2002-04 .. 2007-03

function iso(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m, d));
  return date.toISOString().slice(0, 10);
}

/** A small GRACE-like land stack: 1° lon/lat over the Prairies, monthly windows, metres. */
function graceStack(
  edit: (data: Float32Array, size: number) => void = () => undefined,
  options: { units?: string; months?: number; bounds?: boolean; order?: readonly number[] } = {},
): GridStack {
  const ny = 10;
  const nx = 20;
  const n = options.months ?? MONTHS;
  const size = ny * nx;
  const data = new Float32Array(n * size);
  for (let t = 0; t < n; t++)
    for (let k = 0; k < size; k++)
      data[t * size + k] = 0.08 * Math.sin((2 * Math.PI * (t + 1)) / 12 + k / 40) + 0.01 * Math.cos(k + t);
  edit(data, size);
  const times: string[] = [];
  const timeBounds: [string, string][] = [];
  for (let t = 0; t < n; t++) {
    const m = 3 + t; // April 2002 is month index 3 of 2002
    times.push(`${iso(2002, m, 16)}T00:00:00Z`);
    timeBounds.push([iso(2002, m, 1), iso(2002, m + 1, 1)]);
  }
  const order = options.order ?? times.map((_, i) => i);
  const reordered = new Float32Array(data.length);
  order.forEach((t, i) => reordered.set(data.subarray(t * size, (t + 1) * size), i * size));
  return createStack(reordered, {
    shape: [n, ny, nx],
    bounds: [-110, 50, -90, 60],
    crs: 'EPSG:4326',
    units: options.units ?? 'm',
    times: order.map((t) => times[t]!),
    ...(options.bounds === false ? {} : { timeBounds: order.map((t) => timeBounds[t]!) }),
  });
}

const tif = (data: number[], units = 'mm') =>
  createGrid(new Float32Array(data), { shape: [2, 2], bounds: [-100, 50, -98, 52], crs: 'EPSG:4326', units });

/** Writes the corpus into `dir` (which must exist and be empty) and returns its cases. */
export async function writeBadInputs(dir: string): Promise<BadInputCase[]> {
  const p = (name: string): string => join(dir, name);
  const nc = async (name: string, stack: GridStack, units?: string): Promise<string> => {
    await writeNetcdf(p(name), stack, { variable: 'lwe_thickness', ...(units ? { units } : {}) });
    return p(name);
  };
  const cases: BadInputCase[] = [];
  const refused = (names: string, match?: RegExp): Expectation => ({
    kind: 'refused',
    names,
    ...(match ? { match } : {}),
  });
  const pairs = (file: string, ...more: string[]): string[] => ['data', 'pairs', '--grace', file, ...more, '--json'];

  // Control: a plausible GRACE file pairs; the same file with its frames shuffled gives the same pairs.
  const good = await nc('grace-good.nc', graceStack());
  cases.push({
    id: 'good-grace',
    class: 'control',
    argv: pairs(good),
    expect: { kind: 'ok', stdout: /"records": \d+/ },
  });
  const shuffled = [...Array(MONTHS).keys()].reverse();
  const unsorted = await nc('grace-unsorted.nc', graceStack(undefined, { order: shuffled }));
  cases.push({
    id: 'unsorted-times',
    class: 'time-steps',
    argv: pairs(unsorted),
    expect: { kind: 'ok', stdout: /"records": \d+/ },
  });

  // 4. Implausible values.
  const implausible: [string, (d: Float32Array, size: number) => void, RegExp, string?][] = [
    ['grace-inf.nc', (d) => (d[5 * 200 + 17] = Infinity), /\+Infinity at frame 5 .*row 0, col 17/],
    ['grace-neginf.nc', (d) => (d[3] = -Infinity), /-Infinity at frame 0/],
    ['grace-1e30.nc', (d) => (d[2 * 200 + 40] = 1e30), /1\.000e\+30 m .*beyond the physical bound/],
    ['grace-minus1e30.nc', (d) => (d[10] = -1e30), /-1\.000e\+30 m .*beyond the physical bound/],
    ['grace-cm-as-m.nc', (d) => d.forEach((v, i) => (d[i] = v * 100)), /look like cm or mm/],
    ['grace-mm-as-m.nc', (d) => d.forEach((v, i) => (d[i] = v * 1000)), /look like cm or mm/],
    ['grace-nan-frame.nc', (d, size) => d.fill(Number.NaN, 7 * size, 8 * size), /frame 7 .* has no valid value/],
    ['grace-all-nan.nc', (d) => d.fill(Number.NaN), /frame 0 .*no valid value/],
    ['grace-12m.nc', (d) => (d[99] = 12), /12 m .*beyond the physical bound \|TWSA\| ≤ 10 m/],
  ];
  for (const [name, edit, match] of implausible) {
    const file = await nc(name, graceStack(edit));
    cases.push({ id: name.replace('.nc', ''), class: 'implausible', argv: pairs(file), expect: refused(file, match) });
  }
  cases.push({
    id: 'inf-accepted',
    class: 'implausible',
    argv: pairs(p('grace-cm-as-m.nc'), '--accept-implausible'),
    expect: { kind: 'ok', stdout: /"records": \d+/ },
  });
  const infTif = p('inf.tif');
  await writeGeoTiff(infTif, tif([1, Infinity, 3, 4]));
  const nanTif = p('all-nan.tif');
  await writeGeoTiff(nanTif, tif([Number.NaN, Number.NaN, Number.NaN, Number.NaN]), { nodata: -9999 });
  const goodTif = p('good.tif');
  await writeGeoTiff(goodTif, tif([1, 2, 3, 4]));
  cases.push(
    {
      id: 'info-inf',
      class: 'implausible',
      argv: ['grid', 'info', infTif],
      expect: { kind: 'ok', stdout: /warnings: .*infinite value/ },
    },
    {
      id: 'upscale-inf',
      class: 'implausible',
      argv: ['grid', 'upscale', infTif, '--factor', '2', '--out', p('o1.tif')],
      expect: refused(infTif, /\+Infinity/),
    },
    {
      id: 'upscale-all-nan',
      class: 'implausible',
      argv: ['grid', 'upscale', nanTif, '--factor', '2', '--out', p('o2.tif')],
      expect: refused(nanTif, /no valid value/),
    },
    {
      id: 'reproject-nan-frame',
      class: 'implausible',
      argv: ['grid', 'reproject', p('grace-nan-frame.nc'), '--to', 'canada-lcc-110km', '--out', p('o3.nc')],
      expect: refused(p('grace-nan-frame.nc'), /frame 7/),
    },
    {
      id: 'upscale-good',
      class: 'control',
      argv: ['grid', 'upscale', goodTif, '--factor', '2', '--out', p('o4.tif')],
      expect: { kind: 'ok', stdout: /wrote .*o4\.tif \(1×1\)/ },
    },
  );

  // A user LSM (monthly GeoTIFFs) with one infinite cell: refused after the window means, naming the files.
  for (const [folder, bad] of [
    ['lsm-good', false],
    ['lsm-inf', true],
  ] as const) {
    mkdirSync(p(folder));
    for (let t = 0; t < 12; t++) {
      const ym = iso(2002, 3 + t, 1)
        .slice(0, 7)
        .replace('-', '');
      const values = Array.from({ length: 16 }, (_, k) => 300 + 40 * Math.sin((2 * Math.PI * t) / 12) + k);
      if (bad && t === 2) values[5] = Infinity;
      await writeGeoTiff(
        join(p(folder), `lsm_${ym}.tif`),
        createGrid(new Float32Array(values), {
          shape: [4, 4],
          bounds: [-110, 50, -90, 60],
          crs: 'EPSG:4326',
          units: 'kg m-2',
        }),
      );
    }
  }
  cases.push(
    {
      id: 'lsm-good',
      class: 'control',
      argv: ['data', 'pairs', '--grace', good, '--lsm', p('lsm-good'), '--json'],
      expect: { kind: 'ok', stdout: /"records": 12/ },
    },
    {
      id: 'lsm-inf',
      class: 'implausible',
      argv: ['data', 'pairs', '--grace', good, '--lsm', p('lsm-inf'), '--json'],
      expect: refused(p('lsm-inf'), /Infinity/),
    },
  );

  // 5. Time steps, nameless and late failures.
  const dup = await nc(
    'grace-dup-time.nc',
    graceStack(undefined, {
      order: [...[...Array(MONTHS).keys()].slice(0, 30), 29, ...[...Array(MONTHS).keys()].slice(30, MONTHS - 1)],
    }),
  );
  cases.push({
    id: 'duplicate-time',
    class: 'time-steps',
    argv: pairs(dup),
    expect: refused(dup, /2004-09-16T00:00:00Z occurs twice/),
  });
  const noBounds = await nc('grace-no-bounds.nc', graceStack(undefined, { bounds: false }));
  cases.push({
    id: 'no-time-bounds',
    class: 'nameless',
    argv: pairs(noBounds),
    expect: refused(noBounds, /no time bounds/),
  });
  const short = await nc('grace-short.nc', graceStack(undefined, { months: 6 }));
  cases.push({ id: 'too-short', class: 'nameless', argv: pairs(short), expect: refused(short) });
  const furlongs = await nc('grace-furlongs.nc', graceStack(), 'furlongs');
  cases.push({ id: 'unknown-units', class: 'nameless', argv: pairs(furlongs), expect: refused(furlongs, /furlongs/) });
  writeFileSync(p('empty.nc'), new Uint8Array(0));
  cases.push({ id: 'empty-file', class: 'nameless', argv: pairs(p('empty.nc')), expect: refused(p('empty.nc')) });
  writeFileSync(p('garbage.nc'), 'this is not a NetCDF file\n'.repeat(20));
  cases.push({ id: 'garbage', class: 'nameless', argv: pairs(p('garbage.nc')), expect: refused(p('garbage.nc')) });
  const whole = readFileSync(good);
  writeFileSync(p('truncated.nc'), whole.subarray(0, Math.floor(whole.length / 2)));
  cases.push({
    id: 'truncated',
    class: 'nameless',
    argv: pairs(p('truncated.nc')),
    expect: refused(p('truncated.nc')),
  });
  cases.push({
    id: 'info-truncated',
    class: 'nameless',
    argv: ['grid', 'info', p('truncated.nc')],
    expect: refused(p('truncated.nc')),
  });

  // Non-regular files: refused before any read (a FIFO used to hang the reader).
  execFileSync('mkfifo', [p('fifo.nc')]);
  execFileSync('mkfifo', [p('fifo.tif')]);
  mkdirSync(p('a-directory.nc'));
  cases.push(
    {
      id: 'fifo-info',
      class: 'non-regular',
      argv: ['grid', 'info', p('fifo.nc')],
      expect: refused(p('fifo.nc'), /FIFO/),
    },
    {
      id: 'fifo-pairs',
      class: 'non-regular',
      argv: pairs(p('fifo.nc')),
      expect: refused(p('fifo.nc'), /regular file/),
    },
    {
      id: 'fifo-upscale',
      class: 'non-regular',
      argv: ['grid', 'upscale', p('fifo.tif'), '--factor', '2', '--out', p('o5.tif')],
      expect: refused(p('fifo.tif'), /FIFO/),
    },
    {
      id: 'device-info',
      class: 'non-regular',
      argv: ['grid', 'info', '/dev/null'],
      expect: refused('/dev/null', /character device/),
    },
    {
      id: 'directory-info',
      class: 'non-regular',
      argv: ['grid', 'info', p('a-directory.nc')],
      expect: refused(p('a-directory.nc'), /directory/),
    },
  );

  // Arguments.
  cases.push(
    {
      id: 'factor-negative',
      class: 'arguments',
      argv: ['grid', 'upscale', goodTif, '--factor', '-2', '--out', p('o6.tif')],
      expect: refused('--factor', /--factor expects .*integer ≥ 1.*'-2'/),
    },
    {
      id: 'factor-zero',
      class: 'arguments',
      argv: ['grid', 'upscale', goodTif, '--factor', '0', '--out', p('o7.tif')],
      expect: refused('--factor', /integer ≥ 1/),
    },
    {
      id: 'frame-negative',
      class: 'arguments',
      argv: ['grid', 'reproject', good, '--to', 'canada-lcc-110km', '--frame', '-1', '--out', p('o8.tif')],
      expect: refused('--frame', /--frame expects a 0-based frame index .*'-1'/),
    },
    {
      id: 'frame-too-big',
      class: 'arguments',
      argv: ['grid', 'reproject', good, '--to', 'canada-lcc-110km', '--frame', '600', '--out', p('o9.tif')],
      expect: refused('--frame', /0\.\.59/),
    },
  );

  // Unwritable outputs (as root, only a pseudo file system refuses).
  cases.push(
    {
      id: 'out-unwritable-run',
      class: 'unwritable',
      argv: ['prepare', '--profile', 'smoke', '--out', '/sys/twsa-unwritable/run'],
      expect: refused(
        '/sys/twsa-unwritable',
        /Cannot write the output directory .*(permission denied|read-only|EPERM|EACCES|ENOENT)/,
      ),
    },
    {
      id: 'out-under-a-file',
      class: 'unwritable',
      argv: ['prepare', '--profile', 'smoke', '--out', join(good, 'run')],
      expect: refused(good, /Cannot write the output directory/),
    },
    {
      id: 'out-unwritable-grid',
      class: 'unwritable',
      argv: ['grid', 'upscale', goodTif, '--factor', '2', '--out', '/sys/twsa-unwritable.tif'],
      expect: refused('/sys/twsa-unwritable.tif'),
    },
  );

  // 1. --overwrite never removes an input, a folder holding one, or a folder that is not a twsa run folder.
  const holder = p('grace-folder');
  mkdirSync(holder);
  const inside = await nc('grace-folder/grace.nc', graceStack());
  const userFolder = p('my-thesis');
  mkdirSync(userFolder);
  writeFileSync(join(userFolder, 'chapter1.tex'), '\\chapter{Water}\n');
  const runArgs = (out: string, grace: string): string[] => [
    'run',
    '--profile',
    'smoke',
    '--grace',
    grace,
    '--lsm',
    'emulate',
    '--out',
    out,
    '--overwrite',
    '--quiet',
  ];
  cases.push(
    {
      id: 'overwrite-the-grace-file',
      class: 'overwrite',
      argv: runArgs(inside, inside),
      expect: refused(inside, /is an input of this run/),
    },
    {
      id: 'overwrite-the-grace-folder',
      class: 'overwrite',
      argv: runArgs(holder, inside),
      expect: refused(holder, /holds an input of this run/),
    },
    {
      id: 'overwrite-a-user-folder',
      class: 'overwrite',
      argv: runArgs(userFolder, good),
      expect: refused(userFolder, /not a twsa run folder/),
    },
    {
      id: 'overwrite-a-file',
      class: 'overwrite',
      argv: ['run', '--profile', 'smoke', '--out', goodTif, '--overwrite', '--quiet'],
      expect: refused(goodTif, /is a file, not a twsa run folder/),
    },
  );

  // 2. A run folder locked by a live process (this test's parent) is refused at once, naming the pid.
  const locked = p('locked-run');
  writeFileSync(
    `${locked}.lock`,
    JSON.stringify({ pid: process.ppid, host: hostname(), started: new Date().toISOString(), command: 'twsa run' }),
  );
  cases.push({
    id: 'locked-folder',
    class: 'lock',
    argv: ['prepare', '--profile', 'smoke', '--out', locked, '--quiet'],
    expect: refused(locked, new RegExp(`locked by another run \\(pid ${process.ppid} `)),
  });
  return cases;
}
