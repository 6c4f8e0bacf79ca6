import { describe, expect, it } from '@jest/globals'
import type { StoreWindow } from '@x/api-billing-core'
import { sql } from 'kysely'
import { SqlUsageStore } from './sql-usage-store.js'
import {
  createTestTarget,
  openKysely,
  openTestStore,
  type TestEngine,
} from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const MINUTE = 60_000
const minute: StoreWindow = { duration: 'minute', start: T0, end: T0 + MINUTE, limit: 100 }
const hour: StoreWindow = { duration: 'hour', start: T0, end: T0 + 60 * MINUTE, limit: 100 }
const day: StoreWindow = { duration: 'day', start: T0, end: T0 + 1440 * MINUTE, limit: 100 }
const nextMinute: StoreWindow = { ...minute, start: T0 + MINUTE, end: T0 + 2 * MINUTE }

/** Reads that arrive together: several clients, one twice, unknown ones, a non-ASCII id, no windows. */
const READS: readonly { clientId: string; windows: StoreWindow[] }[] = [
  { clientId: 'a', windows: [minute, hour] },
  { clientId: 'b', windows: [minute] },
  { clientId: 'ghost', windows: [minute, hour, day] },
  { clientId: 'a', windows: [hour, nextMinute, day] },
  { clientId: 'zoë-ключ', windows: [minute] },
  { clientId: 'b', windows: [] },
  { clientId: 'c', windows: [day, minute] },
]

/** A Kysely store on a fresh target that counts the selects reading the counters table. */
async function countingStore(engine: 'postgres' | 'mysql') {
  const { target, cleanup } = await createTestTarget(engine)
  const selects = { counters: 0 }
  const db = await openKysely(target, undefined, (event) => {
    if (/^\s*select[\s\S]*api_billing_counters/i.test(event.query.sql)) selects.counters++
  })
  const store = new SqlUsageStore({ db })
  await store.init()
  return { store, selects, target, cleanup }
}

async function chargeFixtures(store: SqlUsageStore): Promise<void> {
  await store.charge({ clientId: 'a', windows: [minute, hour], cost: 3, at: T0 })
  await store.charge({ clientId: 'a', windows: [nextMinute, hour], cost: 2, at: T0 + MINUTE })
  await store.charge({ clientId: 'b', windows: [minute], cost: 1, at: T0 })
  await store.charge({ clientId: 'zoë-ключ', windows: [minute, day], cost: 7, at: T0 })
  await store.charge({ clientId: 'c', windows: [day], cost: 4, at: T0 })
}

describe.each<TestEngine>(['sqlite', 'postgres', 'mysql'])(
  '%s: status reads that arrive together',
  (engine) => {
    it('answer each read with its own client’s windows, in its order, as reads one at a time do', async () => {
      const { target, cleanup } = await createTestTarget(engine)
      const batched = await openTestStore(target)
      const single = await openTestStore(target, { batching: false })
      try {
        await chargeFixtures(batched)
        const together = await Promise.all(READS.map((r) => batched.status(r.clientId, r.windows)))
        const oneByOne: (readonly number[])[] = []
        for (const r of READS) oneByOne.push(await single.status(r.clientId, r.windows))
        expect(together).toEqual([[3, 5], [1], [0, 0, 0], [5, 2, 0], [7], [], [4, 0]])
        expect(together).toEqual(oneByOne)
      } finally {
        await batched.close()
        await single.close()
        await cleanup()
      }
    })
  },
)

describe.each(['postgres', 'mysql'] as const)('%s status read calls', (engine) => {
  it('sends the status reads of one event-loop turn as one select, and a lone read on its own', async () => {
    const { store, selects, cleanup } = await countingStore(engine)
    try {
      await chargeFixtures(store)
      selects.counters = 0
      const answers = await Promise.all(READS.map((r) => store.status(r.clientId, r.windows)))
      expect(answers).toEqual([[3, 5], [1], [0, 0, 0], [5, 2, 0], [7], [], [4, 0]])
      expect(selects.counters).toBe(1)
      expect(await store.status('a', [hour])).toEqual([5])
      expect(selects.counters).toBe(2)
    } finally {
      await store.close()
      await cleanup()
    }
  })

  it('rejects every read of a batch whose select fails with StoreUnavailableError', async () => {
    const { target, store, cleanup } = await countingStore(engine)
    const admin = await openKysely(target)
    try {
      await store.charge({ clientId: 'a', windows: [minute], cost: 1, at: T0 })
      await sql.raw('alter table api_billing_counters rename to api_billing_counters_away').execute(admin)
      const outcomes = await Promise.allSettled(READS.map((r) => store.status(r.clientId, [minute])))
      for (const outcome of outcomes) {
        expect(outcome.status === 'rejected' && outcome.reason.name).toBe('StoreUnavailableError')
      }
      await sql.raw('alter table api_billing_counters_away rename to api_billing_counters').execute(admin)
      expect(await store.status('a', [minute])).toEqual([1])
    } finally {
      await store.close()
      await admin.destroy()
      await cleanup()
    }
  })
})
