import type { UsageStore } from '../../usage-store.js'
import type { ConformanceTestApi } from '../conformance-test-api.js'

/** Closing and reopening the store of the running conformance test. */
export interface StoreLifecycle {
  /** Closes the store; the suite then does not close it again after the test. */
  close(): Promise<void>
  /**
   * Closes the store and opens a new one on the same data; `undefined` (nothing closed) when the store
   * does not persist. The new store is the one the suite closes after the test.
   */
  reopen(): Promise<UsageStore | undefined>
}

/** What each group of conformance tests registers its tests with. */
export interface ConformanceTestContext {
  /** The caller's `describe`. */
  readonly describe: ConformanceTestApi['describe']
  /** Registers a test that gets the running test's fresh store and its lifecycle. */
  readonly it: (name: string, test: (store: UsageStore, lifecycle: StoreLifecycle) => Promise<void>) => void
  /** Charges in flight at once in the concurrency tests. */
  readonly concurrency: number
}
