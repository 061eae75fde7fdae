/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type errors are caught by `npm run typecheck`, not at test time (keeps jest fast).
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/setup.ts'],
  // Every execution a test runs is checked against the route tables (test/network-truth-guard.ts).
  setupFilesAfterEnv: ['<rootDir>/test/network-truth-guard.ts'],
  testTimeout: 30000,
  // Every core (jest's default leaves one idle): CI runs on two, where one worker doubles the suite's time.
  maxWorkers: '100%',
};
