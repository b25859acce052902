import * as api from '@twsa/metrics';
import { reportExportChanges } from '../../../test-support/public-api.js';

// The runtime export list of @twsa/metrics (types are erased). Adding or removing a name is an API change: update the
// list on purpose. On a mismatch the first check names what was added and removed.
const NAMES = [
  'METRICS_ERROR_NAMES',
  'MetricsArgumentError',
  'MetricsError',
  'MetricsShapeError',
  'TABLE1_DEFINITION',
  'annualHarmonic',
  'annualHarmonicMap',
  'areaWeightedMean',
  'bias',
  'decimalYear',
  'isMetricsError',
  'kge',
  'mae',
  'mannKendall',
  'nse',
  'pearson',
  'perPixelMetrics',
  'removeSeasonalCycle',
  'rmse',
  'scoreSeries',
  'senSlope',
  'table1Summary',
  'trendMap',
  'trendTest',
];

describe('@twsa/metrics public API', () => {
  it('exports exactly these names', () => {
    reportExportChanges('@twsa/metrics', api, NAMES, 'packages/metrics/test/public-api.test.ts');
    expect(Object.keys(api).sort()).toEqual(NAMES);
  });

  it('has no runtime dependency (package.json) and does not import @twsa/grid', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(import.meta.dirname, '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
    const files = readdirSync(join(root, 'src'), { recursive: true }) as string[];
    for (const f of files.filter((x) => x.endsWith('.ts') && !x.endsWith('.test.ts'))) {
      const text = readFileSync(join(root, 'src', f), 'utf8');
      expect({ file: f, imports: [...text.matchAll(/from '([^.][^']*)'/g)].map((m) => m[1]) }).toEqual({
        file: f,
        imports: [],
      });
    }
  });
});
