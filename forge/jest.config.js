/** Jest renders the UI Kit views through @forge/react's own reconciler, with @forge/bridge mocked. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
};
