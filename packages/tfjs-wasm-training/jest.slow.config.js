import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/src/**/*.slow.test.ts', '<rootDir>/test/**/*.slow.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
