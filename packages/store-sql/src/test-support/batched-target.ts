import type { UsageStore } from '@x/api-billing-core'
import { openTestStore, type TestTarget } from './test-databases.js'

/** A test database and the store's `batching` option, handed to worker processes as JSON. */
export interface BatchedTarget {
  readonly database: TestTarget
  readonly batching: boolean
}

/** Opens (and initialises) a store on the target's database with its batching. */
export function openBatchedTarget(target: BatchedTarget): Promise<UsageStore> {
  return openTestStore(target.database, { batching: target.batching })
}
