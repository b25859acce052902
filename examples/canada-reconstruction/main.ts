// Reconstruct Canada's GRACE-like TWSA from LSM output, the Yu et al. (2021) workflow, as a user would run it:
// @twsa/* imported by package name only.
//
//   npm run start -w examples/canada-reconstruction                      # embedded synthetic scenario, quick profile
//   npm run start -w examples/canada-reconstruction -- --profile smoke   # a few training steps only (CI)
//   npm run start -w examples/canada-reconstruction -- --grace ../shared/data/real/grace_jpl_rl06v03_land/jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc
//                                                                        # real GRACE + emulated LSM (a twin experiment)
//   npm run start -w examples/canada-reconstruction -- --overwrite       # replace the previous run of this example
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  runPipeline,
  resolveConfig,
  formatDuration,
  isReconstructError,
  type PipelineEvent,
  type ProfileName,
} from '@twsa/reconstruct';

const USAGE = `Usage: npm run example -- [--profile smoke|quick|paper] [--out <dir>] [--grace <file.nc>]

Reconstructs Canada's GRACE-like TWSA (the Yu et al. 2021 workflow) into a run folder.
  --profile smoke|quick|paper   smoke: a few training steps (scores mean nothing); quick (default): ≈ 5 min on
                                2 idle cores; paper: the paper's settings (hours; use 'npx twsa run --profile paper')
  --out <dir>                   run folder to create (default runs/canada-reconstruction)
  --overwrite                   replace it if it is a previous twsa run folder (never by default; a folder of yours
                                or one holding an input is refused and nothing is removed)
  --grace <file.nc>             real GRACE (JPL RL06 Tellus land NetCDF) with an emulated LSM (a twin experiment);
                                default: the embedded synthetic scenario
  -h, --help                    this text`;

let values: { out: string; profile: string; grace?: string; overwrite: boolean; help?: boolean };
try {
  values = parseArgs({
    options: {
      out: { type: 'string', default: 'runs/canada-reconstruction' },
      profile: { type: 'string', default: 'quick' },
      grace: { type: 'string' },
      // Never by default: --overwrite replaces only a previous twsa run folder (never a folder of yours or an input).
      overwrite: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }).values as typeof values;
} catch (error) {
  // A mistyped flag: one line and the usage, not a stack trace.
  console.error(`error: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

// Progress: one line per stage and per model epoch.
function log(event: PipelineEvent): void {
  if (event.type === 'stage-start') console.error(`[${event.index}/${event.total}] ${event.stage}`);
  else if (event.type === 'stage-end') console.error(`    done in ${formatDuration(event.seconds)}`);
  else if (event.type === 'epoch' && (event.epoch === event.epochs || event.epoch % 5 === 0))
    console.error(`    ${event.model}: epoch ${event.epoch}/${event.epochs}, loss ${event.loss.toPrecision(3)}`);
}

try {
  const config = resolveConfig({
    profile: values.profile as ProfileName,
    ...(values.grace ? { data: { grace: [values.grace], lsm: 'emulate' } } : {}),
  });
  const result = await runPipeline(config, { out: resolve(values.out), overwrite: values.overwrite, log });
  const table = result.table1;
  if (table?.warning) console.log(`\nWARNING: ${table.warning}`);
  console.log(`\nData: ${table?.dataSource ?? result.record.dataSource.description}`);
  if (table?.twinExperiment)
    console.log(
      '(twin experiment: the LSM is emulated from GRACE, so these scores are not those of a real land-surface model)',
    );
  console.log('\nTable 1 (test records)           RMSE mm    CC');
  for (const row of table?.rows ?? [])
    console.log(`  ${row.label.padEnd(28)} ${row.rmseMm.toFixed(1).padStart(7)}  ${row.cc.toFixed(3)}`);
  console.log(`\nBackend: ${result.record.backend}; run folder: ${result.runDir}`);
  console.log(`Report: ${result.reportPath}`);
} catch (error) {
  console.error(isReconstructError(error) ? `error: ${error.message}` : error);
  if (isReconstructError(error, 'OutputExistsError'))
    console.error(
      '(this example never replaces a folder by default: pass --overwrite to replace a previous run of it)',
    );
  process.exitCode = 1;
}
