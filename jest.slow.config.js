export default {
  testTimeout: 600000,
  projects: ['grid', 'metrics', 'datasets', 'tfjs-wasm-training', 'models', 'reconstruct'].map(
    (p) => `<rootDir>/packages/${p}/jest.slow.config.js`,
  ),
};
