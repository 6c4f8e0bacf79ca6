// Shared jest preset: TypeScript through @swc/jest (CommonJS transform), `.js` import suffixes stripped
// so NodeNext-style imports resolve to the `.ts` sources, tests beside the code they test.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/src/**/*.test.tsx', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(temporal-polyfill|temporal-spec|temporal-utils))'],
  testTimeout: 30_000,
}
