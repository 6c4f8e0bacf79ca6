import { join } from 'node:path'
import { describe, it } from '@jest/globals'
import { multiProcessChargeSuite } from '@x/api-billing-core/testing'
import { MongoClient } from 'mongodb'
import { MongoUsageStore } from './mongo-usage-store.js'
import { freshDbName, mongoUrl } from './test-support/test-database.js'

/** Where a multi-process test's data lives; what test-support/charge-worker.mjs opens. */
interface MongoTestTarget {
  readonly url: string
  readonly dbName: string
}

async function dropDatabase({ url, dbName }: MongoTestTarget): Promise<void> {
  const admin = new MongoClient(url)
  try {
    await admin.db(dbName).dropDatabase()
  } finally {
    await admin.close()
  }
}

/**
 * Measured on this 2-core machine: the race 1.0-3.9 s (each process's charges go to FerretDB in a few
 * batches, one client lock each), 10.8-27 s before batching, when every charge took the lock; the
 * killed writer 1.3-2.2 s. 60 s is over 3x the slowest unbatched race and 15x the slowest batched one.
 */
const TIMEOUT_MS = 60_000

multiProcessChargeSuite<MongoTestTarget>({
  name: 'MongoUsageStore',
  testApi: { describe, it },
  workerPath: join(__dirname, 'test-support', 'charge-worker.mjs'),
  createTarget: async () => {
    const target = { url: mongoUrl(), dbName: freshDbName('mp') }
    return { target, cleanup: () => dropDatabase(target) }
  },
  openStore: async ({ url, dbName }) => {
    const store = MongoUsageStore.fromUrl(url, { dbName })
    await store.init()
    return store
  },
  // The counter update and the ledger $inc are two writes (README, Known limits).
  atomicCharges: false,
  timeoutMs: TIMEOUT_MS,
})
