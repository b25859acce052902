import { mkdtempSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable1Markdown, formatTable1Csv, PAPER_TABLE1, type Table1 } from './table1.js';
import { renderHtmlReport, markdownTableToHtml, encodeExplorerFrame } from './html-report.js';
import { formatProgressBar, formatDuration } from './progress.js';
import { claimRunDirectory, finishRunDirectory, locateRunToResume, writeJsonAtomic } from './run-folder.js';
import { isReconstructError } from './errors.js';

const table: Table1 = {
  rows: [
    {
      key: 'lsm',
      label: 'LSM baseline',
      params: null,
      preset: null,
      rmseMm: 80.123,
      cc: 0.8,
      seriesRmseMm: 20,
      seriesCc: 0.9,
      testMonths: 40,
      paper: PAPER_TABLE1['lsm']!,
    },
    {
      key: 'dcae',
      label: 'DCAE',
      params: 1234,
      preset: 'cpu',
      rmseMm: 50,
      cc: 0.9,
      seriesRmseMm: 10,
      seriesCc: 0.95,
      testMonths: 40,
      testMonthsPredicted: 40,
      improvementPct: 37.6,
      backend: 'wasm',
      deseasonalised: { rmseMm: 30, cc: 0.7, seriesRmseMm: 8, seriesCc: 0.8 },
      selectedOn: 'training loss (train records only)',
      paper: PAPER_TABLE1['dcae']!,
    },
  ],
  definition: 'mean of per-pixel scores.',
  dataSource: 'real GRACE + emulated LSM (twin experiment)',
  twinExperiment: true,
};

describe('Table 1', () => {
  it('Markdown puts the paper values beside ours and flags a twin experiment', () => {
    const md = formatTable1Markdown(table);
    expect(md).toContain('| LSM baseline |  |  |  | 80.1 | 105 | 0.800 | 0.89 |  |  | 20.0 | 0.900 |');
    expect(md).toContain(
      '| DCAE (cpu) | wasm | 1,234 | 76,125,313 | 50.0 | 53 | 0.900 | 0.99 | 38 | 49 | 10.0 | 0.950 | 30.0 | 0.700 | 0.800 | 40 |',
    );
    expect(md).toMatch(/- DCAE: training loss/);
    expect(md).toMatch(/per-pixel test scores — the definition placed beside the paper's column/);
    expect(md).toMatch(/Twin experiment/);
  });
  it('CSV has one line per row with empty unknown cells', () => {
    const lines = formatTable1Csv(table).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      'lsm,LSM baseline,,,,80.123,105,0.8000,0.89,20.000,0.9000,40,real GRACE + emulated LSM (twin experiment),,,,,,,,',
    );
    expect(lines[2]).toBe(
      'dcae,DCAE,cpu,1234,76125313,50.000,53,0.9000,0.99,10.000,0.9500,40,real GRACE + emulated LSM (twin experiment),wasm,37.60,49,30.000,0.7000,8.000,0.8000,40',
    );
  });
  it('HTML report inlines images and converts the table', () => {
    const html = renderHtmlReport(
      [
        {
          heading: 'T1',
          tableHtml: markdownTableToHtml(formatTable1Markdown(table)),
          figures: [{ caption: 'c', mime: 'image/svg+xml', bytes: '<svg/>' }],
        },
      ],
      { title: 'R', banner: 'TWIN' },
    );
    expect(html).toContain('<td>DCAE (cpu)</td>');
    expect(html).toContain(`data:image/svg+xml;base64,${Buffer.from('<svg/>').toString('base64')}`);
    expect(html).toContain('class="banner">TWIN');
    // No interactive view: the Vega runtime (~500 kB) is not inlined.
    expect(html.length).toBeLessThan(50_000);
  });
  it('HTML report with interactive parts inlines the Vega runtime and data safely, and opens offline', () => {
    const frame = encodeExplorerFrame([1.5, Number.NaN, -2], 0.5);
    const bytes = Buffer.from(frame, 'base64');
    expect(Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readInt16LE(2 * i))).toEqual([3, -32768, -4]);
    const html = renderHtmlReport(
      [
        {
          heading: 'Maps',
          explorer: {
            cells: [[0, 1, 0, 1, -95, 49, 0, 0]],
            spec: { scales: [] },
            layers: [
              {
                title: 'TWSA </script><b>',
                units: 'mm',
                palette: 'diverging',
                fields: ['GRACE'],
                times: ['2003-01'],
                frames: { GRACE: { '2003-01': frame } },
                scale: 0.5,
                colorScale: { name: 'color' },
                legends: [],
              },
            ],
          },
          views: [{ title: 'Series', spec: { marks: [] } }],
        },
      ],
      { title: 'R' },
    );
    expect(html.length).toBeGreaterThan(400_000); // the Vega runtime
    expect(html).toContain('id="explorer-data"');
    expect(html).toContain('data-target="view-0"');
    expect(html).not.toContain('TWSA </script>'); // escaped inside the JSON script element
    expect(html).not.toMatch(/\b(src|href)="https?:/);
  });
});

describe('progress', () => {
  it('formats a bar with ETA', () => {
    expect(formatProgressBar('train', 1, 4, 10, 10)).toBe('train [###-------] 1/4 25% 10s, ETA 30s');
    expect(formatProgressBar('x', 0, 4, 0, 4)).toBe('x [----] 0/4 0% 0s, ETA ?');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(65)).toBe('1m05s');
  });
});

describe('run folder', () => {
  const base = mkdtempSync(join(tmpdir(), 'twsa-run-'));
  it('refuses an existing target unless overwrite, works in .incomplete and renames at the end', () => {
    const target = join(base, 'exists');
    mkdirSync(target);
    let err: unknown;
    try {
      claimRunDirectory(target);
    } catch (e) {
      err = e;
    }
    expect(isReconstructError(err, 'OutputExistsError')).toBe(true);
    const loc = claimRunDirectory(target, { overwrite: true });
    expect(loc.work).toBe(`${target}.incomplete`);
    writeJsonAtomic(join(loc.work, 'run.json'), { a: 1 });
    expect(locateRunToResume(target).work).toBe(loc.work);
    finishRunDirectory(loc);
    expect(existsSync(loc.work)).toBe(false);
    expect(JSON.parse(readFileSync(join(target, 'run.json'), 'utf8'))).toEqual({ a: 1 });
    expect(locateRunToResume(target).work).toBe(target);
    expect(() => locateRunToResume(join(base, 'none'))).toThrow(/No run to resume/);
  });
});
