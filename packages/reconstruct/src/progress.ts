/**
 * Progress events of the pipeline and a plain formatter for them. The pipeline only emits events through
 * `log`; the CLI decides whether and where to draw them.
 */

/** The five stages, in order. */
export const STAGES = ['prepare', 'train', 'evaluate', 'hindcast', 'report'] as const;
/** One of {@link STAGES}. */
export type StageName = (typeof STAGES)[number];

/** Events passed to the `log` callback of {@link runPipeline}. */
export type PipelineEvent =
  | { readonly type: 'stage-start'; readonly stage: StageName; readonly index: number; readonly total: number }
  | { readonly type: 'stage-end'; readonly stage: StageName; readonly seconds: number }
  | { readonly type: 'stage-skip'; readonly stage: StageName; readonly reason: string }
  | {
      readonly type: 'progress';
      readonly stage: StageName;
      readonly label: string;
      readonly done: number;
      readonly total: number;
      readonly elapsedSeconds: number;
    }
  | {
      readonly type: 'epoch';
      readonly model: string;
      readonly epoch: number;
      readonly epochs: number;
      readonly loss: number;
      readonly validationLoss?: number;
      readonly seconds: number;
    }
  | { readonly type: 'info'; readonly message: string }
  | { readonly type: 'warning'; readonly message: string };

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * One progress-bar line: `label [#####-----] 12/40 30% 0m12s elapsed, ETA 0m28s`.
 *
 * ## Method
 * ETA = elapsed × (total − done) / done (unknown until one unit is done).
 * @example
 * ```ts
 * formatProgressBar("train", 1, 4, 10, 10); // => "train [###-------] 1/4 25% 10s, ETA 30s"
 * ```
 */
export function formatProgressBar(
  label: string,
  done: number,
  total: number,
  elapsedSeconds: number,
  width = 20,
): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(frac * width);
  const eta = done > 0 ? (elapsedSeconds * (total - done)) / done : Number.NaN;
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${Math.round(frac * 100)}% ${formatDuration(elapsedSeconds)}, ETA ${done > 0 ? formatDuration(eta) : '?'}`;
}
