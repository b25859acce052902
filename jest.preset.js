// Shared Jest settings for every @twsa package: ts-jest in ESM mode (geotiff, netcdfjs and h5wasm are ESM-only).
// Type checking is done once for the whole workspace by `tsc -p tsconfig.json` (see scripts/test.mjs),
// so ts-jest only transpiles (tsconfig.base.json sets isolatedModules, which makes ts-jest use transpileModule).
export function preset(displayName, rootDir) {
  return {
    displayName,
    rootDir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }],
    },
    moduleNameMapper: {
      '^(\\.{1,2}/.*)\\.js$': '$1',
      '^@twsa/(grid|metrics|datasets|tfjs-wasm-training|models|reconstruct)$': '<rootDir>/../$1/src/index.ts',
    },
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['\\.slow\\.test\\.ts$', '/node_modules/', '/dist/'],
    testTimeout: 120000,
  };
}
