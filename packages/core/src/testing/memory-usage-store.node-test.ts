// The conformance suite under node:test instead of jest, on the memory store: proof that
// `@x/api-billing-core/testing` needs no particular test runner. Run by
// conformance-suite-runs-under-node-test.test.ts through `node --import ./register-typescript-loader.mjs`.
import { afterEach, beforeEach, describe, it } from 'node:test'
import { MemoryUsageStore } from '../memory-usage-store.js'
import { usageStoreConformanceSuite } from './usage-store-conformance-suite.js'

usageStoreConformanceSuite({
  name: 'MemoryUsageStore',
  createStore: async () => ({ store: new MemoryUsageStore() }),
  // node:test's `it` takes its timeout as options before the test function.
  testApi: { describe, beforeEach, afterEach, it: (name, fn, timeout) => it(name, { timeout }, fn) },
  timeoutMs: 10_000,
})
