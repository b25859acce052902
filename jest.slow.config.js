export default {
  projects: ['grid', 'metrics', 'datasets', 'models', 'reconstruct'].map((p) => `<rootDir>/packages/${p}/jest.slow.config.js`),
};
