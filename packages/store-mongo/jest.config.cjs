module.exports = {
  ...require('../../jest.preset.cjs'),
  globalSetup: '<rootDir>/src/test-support/ferretdb-server.ts',
  globalTeardown: '<rootDir>/src/test-support/global-teardown.ts',
}
