module.exports = {
  ...require('../../jest.preset.cjs'),
  globalSetup: '<rootDir>/test/ferretdb-global-setup.mjs',
  globalTeardown: '<rootDir>/test/ferretdb-global-teardown.mjs',
}
