module.exports = {
  ...require('../../jest.preset.cjs'),
  globalSetup: '<rootDir>/test/redis-cluster-global-setup.mjs',
  globalTeardown: '<rootDir>/test/redis-cluster-global-teardown.mjs',
}
