import type { UsageStore } from '../../usage-store.js'
import type { ChargeWorkerScript } from './start-charge-worker.js'

/** What one test of the multi-process suite works with: the suite's options resolved, and its target. */
export interface MultiProcessRun<T> {
  readonly script: ChargeWorkerScript
  /** This test's fresh target, made by the store's `createTarget`. */
  readonly target: T
  readonly openStore: (target: T) => Promise<UsageStore>
  readonly processes: number
  readonly chargesPerProcess: number
  readonly limit: number
  /** How long the workers may run before they are killed and the test fails. */
  readonly deadlineMs: number
  readonly atomicCharges: boolean
}

/** Opens a store on the run's target, hands it to `use` and closes it afterwards, also on failure. */
export async function withRunStore<T>(
  run: MultiProcessRun<T>,
  use: (store: UsageStore) => Promise<void>,
): Promise<void> {
  const store = await run.openStore(run.target)
  try {
    await use(store)
  } finally {
    await store.close()
  }
}
