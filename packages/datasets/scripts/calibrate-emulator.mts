// Calibration check of the LSM emulator (twin experiment) against real GRACE: Table-1 metrics of the emulated LSM vs
// JPL RL06 v03 GRACE on the paper's 40 test months, per seed. Usage (from the repository root):
//   npx tsx --tsconfig tsconfig.json packages/datasets/scripts/calibrate-emulator.mts [fineFactor=1] [seeds=0,1,2,3,4] [json overrides]
// Target (Yu et al. 2021, Table 1, EALCO row): RMSE 105 mm ±15 %, CC 0.89 ±0.03.
import { prepareGrace, emulateLsm, pairMonthly, baselineMetrics } from '@twsa/datasets';

const FILE = '../shared/data/real/grace_jpl_rl06v03_land/jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc';
const fineFactor = Number(process.argv[2] ?? 1);
const seeds = (process.argv[3] ?? '0,1,2,3,4').split(',').map(Number);
const overrides = JSON.parse(process.argv[4] ?? '{}');
const { grace, mask } = await prepareGrace(FILE);
for (const seed of seeds) {
  const t0 = Date.now();
  const lsm = await emulateLsm(grace, { ...overrides, fineFactor, seed });
  const m = baselineMetrics(pairMonthly(grace, lsm, { mask }));
  const inBand = m.cc >= 0.86 && m.cc <= 0.92 && m.rmse >= 89.25 && m.rmse <= 120.75;
  console.log(
    `fineFactor ${fineFactor} seed ${seed}: CC ${m.cc.toFixed(3)} RMSE ${m.rmse.toFixed(1)} mm (domain-mean CC ${m.domainCc.toFixed(3)} RMSE ${m.domainRmse.toFixed(1)} mm) pixels ${m.pixels} test records ${m.records} frames ${lsm.shape[0]} ${inBand ? 'IN band' : 'OUT of band'} ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}
