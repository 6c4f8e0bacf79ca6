const preset = require('../../jest.preset.cjs')

module.exports = {
  ...preset,
  testEnvironment: 'jsdom',
  // Tests use core's real builders (quotaStatusBody, rateLimitHeaders) as the source of truth: load its
  // TypeScript sources, since its ESM build cannot be required by jest's CommonJS runtime.
  moduleNameMapper: { ...preset.moduleNameMapper, '^@x/api-billing-core$': '<rootDir>/../core/src/index.ts' },
}
