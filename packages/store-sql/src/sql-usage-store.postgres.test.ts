import { describe, expect, it } from '@jest/globals'
import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { sql } from 'kysely'
import { createTestTarget, openKysely, openTestStore } from './test-support/test-databases.js'

usageStoreConformanceSuite({
  name: 'SqlUsageStore (Postgres, a fresh schema per test)',
  createStore: async () => {
    const { target, cleanup } = await createTestTarget('postgres')
    return { store: await openTestStore(target), reopen: () => openTestStore(target), cleanup }
  },
})

describe('SqlUsageStore on Postgres schemas', () => {
  it('creates its tables in its own schema when another schema already has a store, from several processes at once', async () => {
    const first = await createTestTarget('postgres')
    const second = await createTestTarget('postgres')
    try {
      const existing = await openTestStore(first.target)
      const starting = await Promise.all(Array.from({ length: 4 }, () => openTestStore(second.target)))
      const window = { duration: 'minute', start: 0, end: 60_000, limit: 10 } as const
      await starting[0]?.charge({ clientId: 'c', windows: [window], cost: 3, at: 0 })
      expect(await starting[3]?.status('c', [window])).toEqual([3])
      expect(await existing.status('c', [window])).toEqual([0])
      await Promise.all([existing, ...starting].map((store) => store.close()))
    } finally {
      await first.cleanup()
      await second.cleanup()
    }
  })
  it('rejects a charge over a full window without waiting for the lock on its counter', async () => {
    const { target, cleanup } = await createTestTarget('postgres')
    const db = await openKysely(target)
    try {
      const store = await openTestStore(target)
      const window = { duration: 'minute', start: 0, end: 60_000, limit: 3 } as const
      const charge = { clientId: 'c', windows: [window], cost: 3, at: 0 }
      expect(await store.charge(charge)).toEqual({ allowed: true, used: [3], replayed: false })
      await db.transaction().execute(async (trx) => {
        await sql`select used from api_billing_counters where client_id = ${'c'} for update`.execute(trx)
        let timer: NodeJS.Timeout | undefined
        const rejected = await Promise.race([
          store.charge({ ...charge, cost: 1 }),
          new Promise((resolve) => {
            timer = setTimeout(() => resolve('waited'), 2_000)
          }),
        ])
        clearTimeout(timer)
        expect(rejected).toEqual({ allowed: false, used: [3], replayed: false })
      })
      await store.close()
    } finally {
      await db.destroy()
      await cleanup()
    }
  })
})
