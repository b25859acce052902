// Root Jest config: every package is a project, so one run reports the whole workspace.
export default {
  // testTimeout is a global option: Jest ignores it inside a project's config when run from here.
  testTimeout: 120000,
  projects: [
    '<rootDir>/packages/grid/jest.config.js',
    '<rootDir>/packages/metrics/jest.config.js',
    '<rootDir>/packages/datasets/jest.config.js',
    '<rootDir>/packages/tfjs-wasm-training/jest.config.js',
    '<rootDir>/packages/models/jest.config.js',
    '<rootDir>/packages/reconstruct/jest.config.js',
  ],
};
