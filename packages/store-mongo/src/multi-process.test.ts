import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, expect, it } from '@jest/globals'
import { MongoClient } from 'mongodb'
import { MongoUsageStore } from './mongo-usage-store.js'
import { freshDbName, mongoUrl } from './test-support/test-database.js'

const run = promisify(execFile)
const WORKER = join(__dirname, 'test-support', 'charge-worker.mjs')
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const dbName = freshDbName('mp')
const admin = new MongoClient(mongoUrl())
/**
 * Measured alone on this 2-core machine: 2.0-3.7 s (each process's charges go to FerretDB in a few
 * batches, one client lock each); 10.8-27 s before batching, when every charge took the lock. 60 s is
 * over 3x the slowest unbatched run and 16x the slowest batched one.
 */
const TIMEOUT_MS = 60_000

afterAll(async () => {
  await admin.db(dbName).dropDatabase()
  await admin.close()
})

it(
  'grants exactly 500 credits when 4 processes race 250 charges each at a 500-credit window',
  async () => {
    const setup = MongoUsageStore.fromUrl(mongoUrl(), { dbName })
    await setup.init()
    await setup.close()

    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, [WORKER, mongoUrl(), dbName, '250', '500', String(T0)], {
          cwd: join(__dirname, '..'),
        }),
      ),
    )
    const granted = outputs.flatMap((o) => (JSON.parse(o.stdout) as { granted: number[] }).granted)
    expect(granted).toHaveLength(500)
    expect(new Set(granted).size).toBe(500)

    const store = MongoUsageStore.fromUrl(mongoUrl(), { dbName })
    try {
      const window = { duration: 'minute' as const, start: T0, end: T0 + 60_000, limit: 500 }
      expect(await store.status('shared', [window])).toEqual([500])
      const buckets = await store.readUsage({ clientId: 'shared', from: T0 - 3_600_000, to: T0 + 3_600_000 })
      expect(buckets.reduce((sum, b) => sum + b.credits, 0)).toBe(500)
    } finally {
      await store.close()
    }
  },
  TIMEOUT_MS,
)
