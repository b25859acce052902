/**
 * The text of `twsa predict` results for `summary.md` and the report: gap-filled months and the independent-test
 * scores of each predicted period of a run.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { monthRange } from '@twsa/grid';
import type { ModelName } from './config.js';
import { markdownTableToHtml, type ReportFigure, type ReportSection } from './html-report.js';
import type { FigureSpec } from './figures-render.js';
import { seriesFigureSpec } from './figures-series.js';
import { readJson } from './run-folder.js';
import { TWIN_NOTE } from './stages/hindcast.js';

/** Scores of a predicted period's independent-test frames, written to `scores.json`. */
export interface PredictScores {
  readonly model: ModelName;
  readonly from: string;
  readonly to: string;
  readonly trainingPeriod: string;
  readonly lsm: string;
  readonly twinExperiment: boolean;
  /** Months filled where GRACE has no record (inside its record). */
  readonly gapFilledMonths: readonly string[];
  /** Frames scored as an independent test (GRACE records after the training period), by id. */
  readonly testRecords: readonly string[];
  /** Missions of the scored records. */
  readonly testMissions: readonly string[];
  /** Frames with a GRACE record inside the training period (not scored here: see Table 1). */
  readonly trainingEraRecords: readonly string[];
  /** Months before the first GRACE record (a hindcast; nothing to compare with). */
  readonly beforeGraceMonths?: readonly string[];
  /** Months after the last GRACE record (nothing to compare with). */
  readonly afterGraceMonths: readonly string[];
  /** Table-1 style scores over the independent-test frames; null when there are none. */
  readonly test: {
    readonly rmseMm: number;
    readonly cc: number;
    readonly seriesRmseMm: number;
    readonly seriesCc: number;
    readonly records: number;
  } | null;
  /** Nationwide (area-weighted) series of the period, one entry per frame; `null` for no value. */
  readonly series?: {
    readonly months: readonly string[];
    readonly roles: readonly string[];
    readonly predictedMm: readonly (number | null)[];
    readonly graceMm: readonly (number | null)[];
    readonly lsmMm: readonly (number | null)[];
  };
  /** The same scores for the LSM input itself (the baseline row). */
  readonly lsmBaseline: PredictScores['test'];
  readonly definition: string;
  /** Set for a smoke-profile run: its scores mean nothing. */
  readonly warning?: string;
}

const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/**
 * Ranges of consecutive months.
 * @example
 * ```ts
 * monthRanges(["2018-09", "2017-07", "2017-08", "2018-08"]); // => "2017-07..2017-08, 2018-08..2018-09"
 * ```
 */
export function monthRanges(months: readonly string[]): string {
  const out: string[] = [];
  const sorted = [...new Set(months)].sort();
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && monthRange(sorted[j]!, sorted[j + 1]!).length === 2) j++;
    out.push(i === j ? sorted[i]! : `${sorted[i]}..${sorted[j]}`);
    i = j;
  }
  return out.join(', ');
}

/** The text of a predicted period for the report and `summary.md`. */
export function predictSummaryMarkdown(s: PredictScores): string[] {
  const lines = [
    `Predicted ${s.from}..${s.to} with ${s.model} (trained on ${s.trainingPeriod}). LSM: ${s.lsm}.`,
    s.gapFilledMonths.length
      ? `Filled ${s.gapFilledMonths.length} month(s) without a GRACE record: ${monthRanges(s.gapFilledMonths)}.`
      : 'No month inside the GRACE record lacks a GRACE solution in this period: nothing gap-filled.',
  ];
  if (s.test) {
    const missions = [...new Set(s.testMissions)].join(' and ');
    lines.push(
      `Independent test on ${s.test.records} ${missions} record(s) never seen in training (${monthRanges(s.testRecords.map((r) => r.slice(0, 7)))}):`,
      '',
      '| | RMSE (mm) | CC | nationwide RMSE (mm) | nationwide CC |',
      '|---|---|---|---|---|',
      `| ${s.model} | ${num(s.test.rmseMm, 1)} | ${num(s.test.cc, 3)} | ${num(s.test.seriesRmseMm, 1)} | ${num(s.test.seriesCc, 3)} |`,
      ...(s.lsmBaseline
        ? [
            `| LSM input | ${num(s.lsmBaseline.rmseMm, 1)} | ${num(s.lsmBaseline.cc, 3)} | ${num(s.lsmBaseline.seriesRmseMm, 1)} | ${num(s.lsmBaseline.seriesCc, 3)} |`,
          ]
        : []),
      '',
      s.definition,
    );
  } else lines.push('No GRACE record after the training period in this period: nothing scored.');
  if (s.trainingEraRecords.length)
    lines.push(
      `${s.trainingEraRecords.length} frame(s) fall in the training period and are not scored here (see Table 1).`,
    );
  if (s.beforeGraceMonths?.length)
    lines.push(
      `${s.beforeGraceMonths.length} month(s) before GRACE (a hindcast): ${monthRanges(s.beforeGraceMonths)}.`,
    );
  if (s.afterGraceMonths.length)
    lines.push(
      `${s.afterGraceMonths.length} month(s) after the last GRACE record: ${monthRanges(s.afterGraceMonths)}.`,
    );
  if (s.twinExperiment) lines.push(`${TWIN_NOTE}`);
  if (s.warning) lines.unshift(`WARNING: ${s.warning}`);
  return lines;
}

/** The `scores.json` of every predicted period of a run, by folder name (for the report). */
export function readPredictScores(work: string): { readonly name: string; readonly scores: PredictScores }[] {
  const dir = join(work, 'predict');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'scores.json')))
    .sort()
    .map((name) => ({ name, scores: readJson<PredictScores>(join(dir, name, 'scores.json')) }));
}

/**
 * The nationwide series of a predicted period as a figure spec: the prediction, GRACE/GRACE-FO and the LSM input,
 * the gap-filled months shaded; `null` without a series.
 */
export function predictSeriesFigure(s: PredictScores): FigureSpec | null {
  const series = s.series;
  if (!series || series.months.length < 2) return null;
  // One value per calendar month (the first frame of a month with two).
  const keep = series.months.flatMap((m, i) => (series.months.indexOf(m) === i ? [i] : []));
  const months = keep.map((i) => series.months[i]!);
  const values = (v: readonly (number | null)[]): number[] => keep.map((i) => v[i] ?? Number.NaN);
  const gaps = keep.filter((i) => series.roles[i] === 'gap-fill').map((i) => series.months[i]!);
  const shading = monthRanges(gaps)
    .split(', ')
    .filter((r) => r !== '')
    .map((r) => {
      const [start, end] = r.split('..') as [string, string?];
      return { start, end: end ?? start, label: 'gap filled', color: '#fdae6b' };
    });
  return seriesFigureSpec(
    [
      {
        title: `${s.model} prediction, GRACE/GRACE-FO and the LSM input`,
        lines: [
          { label: `${s.model} prediction`, color: '#2ca02c', months, values: values(series.predictedMm) },
          { label: 'GRACE / GRACE-FO', color: '#000000', months, values: values(series.graceMm), markers: true },
          { label: 'LSM input', color: '#8c6d31', dashed: true, months, values: values(series.lsmMm) },
        ],
      },
    ],
    {
      title: `Nationwide TWSA ${s.from}..${s.to} predicted by ${s.model}`,
      subtitle: [
        'Area-weighted mean over the Canada mask; shaded: months filled where GRACE has no solution.',
        ...(s.twinExperiment ? ['TWIN EXPERIMENT: LSM EMULATED FROM GRACE'] : []),
      ],
      yLabel: 'TWSA (mm)',
      shading,
    },
  );
}

/**
 * One report section per predicted period of a run (none when `twsa predict` has not run). `draw` renders a figure
 * spec the way the report draws its own (file name without extension, caption).
 */
export async function predictSections(
  work: string,
  draw: (name: string, caption: string, spec: FigureSpec) => Promise<ReportFigure>,
): Promise<ReportSection[]> {
  const sections: ReportSection[] = [];
  for (const { name, scores } of readPredictScores(work)) {
    const lines = predictSummaryMarkdown(scores);
    const table = lines.filter((l) => l.startsWith('|')).join('\n');
    const spec = predictSeriesFigure(scores);
    const figure = spec
      ? await draw(
          `predict_${name}_series`,
          `Nationwide (area-weighted) TWSA ${scores.from}..${scores.to}; shaded: months filled where GRACE has no solution`,
          spec,
        )
      : null;
    sections.push({
      heading: `Predicted period ${scores.from}..${scores.to} (${scores.model}; predict/${name})`,
      paragraphs: lines.filter((l) => l.trim() !== '' && !l.startsWith('|')),
      ...(table ? { tableHtml: markdownTableToHtml(table) } : {}),
      ...(figure ? { figures: [figure] } : {}),
    });
  }
  return sections;
}
