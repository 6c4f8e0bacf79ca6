/**
 * The test functions {@link usageStoreConformanceSuite} registers its tests with. The caller passes
 * them in, so `@x/api-billing-core/testing` imports no test framework.
 *
 * Typed structurally: jest's (`@jest/globals`) and vitest's `describe`, `it`, `beforeEach` and
 * `afterEach` fit as they are. node:test's fit too, but its `it` takes a timeout as options
 * (`it(name, { timeout }, fn)`) and would ignore `timeoutMs`; wrap it as
 * `(name, fn, timeout) => it(name, { timeout }, fn)` to keep the suite's timeout.
 */
export interface ConformanceTestApi {
  /** Groups tests under a title; `fn` registers them synchronously. */
  readonly describe: (name: string, fn: () => void) => void
  /**
   * Registers one test. `timeoutMs` is the suite's `timeoutMs` option; `undefined` (the default)
   * means the runner's own default timeout.
   */
  readonly it: (name: string, fn: () => Promise<void>, timeoutMs?: number) => void
  /** Runs `fn` before every test of the enclosing `describe`. */
  readonly beforeEach: (fn: () => Promise<void>) => void
  /** Runs `fn` after every test of the enclosing `describe`, also after a failed one. */
  readonly afterEach: (fn: () => Promise<void>) => void
}
