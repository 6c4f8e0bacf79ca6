import type { UsageStore } from '../usage-store.js'
import { chargingConformanceTests } from './conformance/charging-conformance-tests.js'
import { concurrencyConformanceTests } from './conformance/concurrency-conformance-tests.js'
import type { ConformanceTestContext, StoreLifecycle } from './conformance/conformance-test-context.js'
import { creditConformanceTests } from './conformance/credit-conformance-tests.js'
import { deletionConformanceTests } from './conformance/deletion-conformance-tests.js'
import { engineConformanceTests } from './conformance/engine-conformance-tests.js'
import { idempotencyConformanceTests } from './conformance/idempotency-conformance-tests.js'
import { lifecycleConformanceTests } from './conformance/lifecycle-conformance-tests.js'
import { refundConformanceTests } from './conformance/refund-conformance-tests.js'
import { usageLedgerConformanceTests } from './conformance/usage-ledger-conformance-tests.js'
import { usageScanConformanceTests } from './conformance/usage-scan-conformance-tests.js'
import { windowConformanceTests } from './conformance/window-conformance-tests.js'
import type { ConformanceTestApi } from './conformance-test-api.js'

/** A store handed to one conformance test, with what the suite needs to reopen and dispose of it. */
export interface StoreUnderTest {
  /** A fresh, empty, initialised store that shares no data with any other test's store. */
  readonly store: UsageStore
  /**
   * Opens and initialises a new store on the same data after `store` was closed. Omit it for a store
   * that does not persist (the memory store); the persistence tests then check nothing else.
   */
  readonly reopen?: () => Promise<UsageStore>
  /** Removes what the store created (schema, database, files). Runs after every test. */
  readonly cleanup?: () => Promise<void>
}

/** Options of {@link usageStoreConformanceSuite}. */
export interface UsageStoreConformanceOptions {
  /** Title of the `describe` block, e.g. `'SqlUsageStore (postgres)'`. */
  readonly name: string
  /** Makes the store for one test. Called before every test; no test depends on another. */
  readonly createStore: () => Promise<StoreUnderTest>
  /** Charges in flight at once in the concurrency tests. Default 200. */
  readonly concurrency?: number
  /**
   * The test runner's `describe`, `it`, `beforeEach` and `afterEach` (jest: from `@jest/globals`;
   * vitest: from `vitest`; node:test: see {@link ConformanceTestApi}).
   */
  readonly testApi: ConformanceTestApi
  /** Timeout of each test in ms, handed to `it`. Default `undefined`: the runner's own default. */
  readonly timeoutMs?: number
}

/** The groups of tests, in the order they are registered. */
const GROUPS: readonly ((context: ConformanceTestContext) => void)[] = [
  chargingConformanceTests,
  windowConformanceTests,
  concurrencyConformanceTests,
  idempotencyConformanceTests,
  refundConformanceTests,
  usageLedgerConformanceTests,
  usageScanConformanceTests,
  creditConformanceTests,
  deletionConformanceTests,
  lifecycleConformanceTests,
  engineConformanceTests,
]

/**
 * The contract every `UsageStore` must honour, as one `describe` block of the caller's test runner
 * (jest, vitest or node:test; the assertions use `node:assert/strict`). A store package calls it once
 * per engine it supports, with a factory for a fresh store; every test gets its own store and runs in
 * any order.
 *
 * @example
 * import { afterEach, beforeEach, describe, it } from '@jest/globals'
 *
 * usageStoreConformanceSuite({
 *   name: 'MemoryUsageStore',
 *   createStore: async () => ({ store: new MemoryUsageStore() }),
 *   testApi: { describe, it, beforeEach, afterEach },
 * })
 */
export function usageStoreConformanceSuite(options: UsageStoreConformanceOptions): void {
  const { describe, beforeEach, afterEach } = options.testApi

  describe(`${options.name} conforms to the UsageStore contract`, () => {
    let handle: StoreUnderTest
    let store: UsageStore
    let closed = false

    beforeEach(async () => {
      handle = await options.createStore()
      store = handle.store
      closed = false
    })

    afterEach(async () => {
      if (!closed) await store.close()
      await handle.cleanup?.()
    })

    const lifecycle: StoreLifecycle = {
      async close() {
        await store.close()
        closed = true
      },
      async reopen() {
        if (handle.reopen === undefined) return undefined
        await store.close()
        store = await handle.reopen()
        return store
      },
    }

    const context: ConformanceTestContext = {
      describe,
      it: (name, test) => options.testApi.it(name, () => test(store, lifecycle), options.timeoutMs),
      concurrency: options.concurrency ?? 200,
    }
    for (const group of GROUPS) group(context)
  })
}
