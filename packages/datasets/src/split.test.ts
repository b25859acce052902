import fc from 'fast-check';
import {
  blockedKFold,
  paperSplit,
  splitByDateRange,
  splitCounts,
  splitIndices,
  validationFromTrain,
  type SplitLabel,
} from '@twsa/datasets';
import { isDatasetsError } from './errors.js';

/** Consecutive monthly ISO dates (mid-month) from a start month. */
function months(n: number, startYear = 2002, startMonth = 4): string[] {
  return Array.from({ length: n }, (_, i) => {
    const m = startMonth - 1 + i;
    return `${startYear + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-16`;
  });
}

describe('paperSplit', () => {
  it('158 records → 118 train, 40 test: the first 20 and the last 20', () => {
    const labels = paperSplit(158);
    expect(splitCounts(labels)).toEqual({ train: 118, validation: 0, test: 40, unused: 0 });
    const idx = splitIndices(labels);
    expect(idx.test).toEqual([
      ...Array.from({ length: 20 }, (_, i) => i),
      ...Array.from({ length: 20 }, (_, i) => 138 + i),
    ]);
    expect(idx.train[0]).toBe(20);
    expect(idx.train.at(-1)).toBe(137);
  });
  it('rejects counts that leave no training sample, and non-integers', () => {
    expect(() => paperSplit(40)).toThrow("Argument 'count' passed to 'paperSplit'");
    expect(() => paperSplit(10.5)).toThrow("Argument 'count' passed to 'paperSplit' must be an integer >= 0");
    expect(() => paperSplit(50, { testHead: -1 })).toThrow("Argument 'testHead'");
    let err: unknown;
    try {
      paperSplit(3, { testHead: 2, testTail: 1 });
    } catch (e) {
      err = e;
    }
    expect(isDatasetsError(err, 'DatasetsArgumentError')).toBe(true);
  });
  it('property: test = head ∪ tail, train = the rest; every sample has exactly one label', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 50 }),
        (head, tail, train) => {
          const labels = paperSplit(head + tail + train, { testHead: head, testTail: tail });
          expect(labels.length).toBe(head + tail + train);
          expect(splitCounts(labels)).toEqual({ train, validation: 0, test: head + tail, unused: 0 });
          const idx = splitIndices(labels);
          expect([...idx.train, ...idx.test].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('splitByDateRange', () => {
  it('labels by half-open ranges; outside every range is unused', () => {
    const times = [
      '2002-04-16',
      '2004-02-15',
      '2004-03-01',
      '2014-09-30T23:59:59Z',
      '2014-10-01',
      '2016-12-16',
      '2017-01-01',
    ];
    const labels = splitByDateRange(times, {
      train: ['2004-03', '2014-10'],
      test: ['2014-10-01', '2017-01-01'],
      validation: ['2002-01', '2004-03'],
    });
    expect(labels).toEqual(['validation', 'validation', 'train', 'train', 'test', 'test', 'unused']);
  });
  it("accepts several ranges per part (the paper's two test blocks) and checks overlaps between them", () => {
    const times = ['2002-04-16', '2004-02-15', '2004-03-16', '2014-09-16', '2014-10-16', '2016-12-16'];
    expect(
      splitByDateRange(times, {
        train: ['2004-03', '2014-10'],
        test: [
          ['2002-04', '2004-03'],
          ['2014-10', '2017-01'],
        ],
      }),
    ).toEqual(['test', 'test', 'train', 'train', 'test', 'test']);
    expect(() =>
      splitByDateRange(times, {
        train: ['2004-03', '2014-10'],
        test: [
          ['2002-04', '2004-03'],
          ['2014-09', '2017-01'],
        ],
      }),
    ).toThrow("Argument 'options.test[1]' passed to 'splitByDateRange' must be a range that does not overlap train");
    expect(() =>
      splitByDateRange(times, {
        train: [
          ['2004-03', '2005-01'],
          ['2004-06', '2006-01'],
        ],
      }),
    ).toThrow("Argument 'options.train[1]'");
  });
  it('handles time zones', () => {
    expect(splitByDateRange(['2004-03-01T00:30:00+01:00'], { train: ['2004-03-01', '2005-01-01'] })).toEqual([
      'unused',
    ]);
  });
  it('rejects overlapping ranges, empty ranges and bad dates, naming the option', () => {
    expect(() =>
      splitByDateRange(['2005-01-01'], { train: ['2004-01', '2006-01'], test: ['2005-06', '2007-01'] }),
    ).toThrow("Argument 'options.test' passed to 'splitByDateRange' must be a range that does not overlap train");
    expect(() => splitByDateRange(['2005-01-01'], { train: ['2006-01', '2006-01'] })).toThrow(
      "Argument 'options.train'",
    );
    expect(() => splitByDateRange(['yesterday'], { train: ['2006-01', '2007-01'] })).toThrow("Argument 'times[0]'");
    expect(() => splitByDateRange(['2005-13-01'], { train: ['2006-01', '2007-01'] })).toThrow("Argument 'times[0]'");
    expect(() => splitByDateRange(['2005-02-29'], { train: ['2006-01', '2007-01'] })).toThrow(
      "Argument 'times[0]' passed to 'splitByDateRange' must be a valid calendar date",
    );
  });
  it('property: each sample is in the range of its label, and in no range when unused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 119 }),
        fc.integer({ min: 1, max: 60 }),
        (n, cut, len) => {
          const times = months(n, 2002, 1);
          const train: [string, string] = [
            '2002-01',
            months(1, 2002 + Math.floor(cut / 12), (cut % 12) + 1)[0]!.slice(0, 7),
          ];
          const endTest = cut + len;
          const test: [string, string] = [
            train[1],
            `${2002 + Math.floor(endTest / 12)}-${String((endTest % 12) + 1).padStart(2, '0')}`,
          ];
          if (cut === 0) return; // empty train range
          const labels = splitByDateRange(times, { train, test });
          expect(labels).toEqual(labels.map((_, i) => (i < cut ? 'train' : i < endTest ? 'test' : 'unused')));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('blockedKFold', () => {
  it('contiguous, near-equal blocks; every sample is test exactly once', () => {
    const folds = blockedKFold(months(158), { folds: 5 });
    expect(folds.map((f) => f.testBlock)).toEqual([
      [0, 31],
      [32, 63],
      [64, 95],
      [96, 126],
      [127, 157],
    ]);
    const testCount = new Array(158).fill(0);
    for (const f of folds)
      f.labels.forEach((l, i) => {
        if (l === 'test') testCount[i]++;
      });
    expect(testCount.every((c) => c === 1)).toBe(true);
  });
  it('a gap in calendar months, not in samples (a missing month counts)', () => {
    // 2002-04, 05, 06, [07 missing], 08, 09, 10
    const times = ['2002-04-16', '2002-05-16', '2002-06-16', '2002-08-16', '2002-09-16', '2002-10-16'];
    const f = blockedKFold(times, { folds: 3, gapMonths: 2 })[2]; // test = Sep, Oct
    expect(f.labels).toEqual(['train', 'train', 'train', 'unused', 'test', 'test']);
    const g = blockedKFold(times, { folds: 3, gapMonths: 2 })[1]; // test = Jun, Aug
    expect(g.labels).toEqual(['unused', 'unused', 'test', 'test', 'unused', 'unused']);
  });
  it('rejects bad folds, negative gaps and unsorted times', () => {
    expect(() => blockedKFold(months(5), { folds: 1 })).toThrow(
      "Argument 'folds' passed to 'blockedKFold' must be an integer in [2, 5]",
    );
    expect(() => blockedKFold(months(5), { folds: 6 })).toThrow("Argument 'folds'");
    expect(() => blockedKFold(months(5), { folds: 2, gapMonths: -1 })).toThrow("Argument 'gapMonths'");
    expect(() => blockedKFold(['2003-02', '2003-01'], { folds: 2 })).toThrow(
      "Argument 'times' passed to 'blockedKFold' must be strictly increasing",
    );
  });
  it('property: test blocks partition the samples, are contiguous and in order; gap samples are near the block', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 80 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 0, max: 4 }),
        (n, k, gap) => {
          if (k > n) return;
          const folds = blockedKFold(months(n), { folds: k, gapMonths: gap });
          let next = 0;
          for (const f of folds) {
            const [a, b] = f.testBlock;
            expect(a).toBe(next);
            next = b + 1;
            const distance = (i: number): number => Math.min(Math.abs(i - a), Math.abs(i - b));
            // Consecutive months: the calendar-month gap equals the index distance to the block.
            expect(f.labels).toEqual(
              f.labels.map((_, i) => (i >= a && i <= b ? 'test' : distance(i) <= gap ? 'unused' : 'train')),
            );
            expect(b - a + 1 === Math.floor(n / k) || b - a + 1 === Math.ceil(n / k)).toBe(true);
          }
          expect(next).toBe(n);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('validationFromTrain', () => {
  it('takes the last training samples in time order', () => {
    const labels = validationFromTrain(paperSplit(158), { lastN: 18 });
    expect(splitCounts(labels)).toEqual({ train: 100, validation: 18, test: 40, unused: 0 });
    expect(splitIndices(labels).validation).toEqual(Array.from({ length: 18 }, (_, i) => 120 + i));
  });
  it('rejects both/neither options and taking every training sample', () => {
    expect(() => validationFromTrain(['train', 'train'], {})).toThrow('exactly one of fraction and lastN');
    expect(() => validationFromTrain(['train', 'train'], { fraction: 0.5, lastN: 1 })).toThrow(
      'exactly one of fraction and lastN',
    );
    expect(() => validationFromTrain(['train', 'train'], { lastN: 2 })).toThrow(
      "Argument 'lastN' passed to 'validationFromTrain' must be fewer than the 2 training samples",
    );
    expect(() => validationFromTrain(['train', 'train'], { fraction: 1 })).toThrow("Argument 'fraction'");
    expect(() => validationFromTrain(['train', 'bogus' as SplitLabel], { lastN: 1 })).toThrow("Argument 'labels[1]'");
  });
  it('property: only train labels change; validation ⊂ old train and after every remaining train sample', () => {
    const label = fc.constantFrom<SplitLabel>('train', 'test', 'unused', 'validation');
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 0, maxLength: 60 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (labels, fraction) => {
          const train = labels.filter((l) => l === 'train').length;
          const n = Math.max(1, Math.round(fraction * train));
          if (n >= train) {
            expect(() => validationFromTrain(labels, { fraction })).toThrow();
            return;
          }
          const out = validationFromTrain(labels, { fraction });
          let moved = 0,
            lastTrain = -1,
            firstMoved = Infinity;
          out.forEach((l, i) => {
            if (l !== labels[i]) {
              expect([labels[i], l]).toEqual(['train', 'validation']);
              moved++;
              firstMoved = Math.min(firstMoved, i);
            }
            if (l === 'train') lastTrain = i;
          });
          expect(moved).toBe(n);
          expect(lastTrain).toBeLessThan(firstMoved);
        },
      ),
      { numRuns: 200 },
    );
  });
});
