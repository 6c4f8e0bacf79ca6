import { expect } from '@jest/globals'
import { sql } from 'kysely'
import { createTestTarget, openKysely, openTestStore, type TestEngine } from './test-databases.js'

/** `work`'s value, or `'waited'` when it takes longer than 2 s (it queued behind a lock). */
async function withinTwoSeconds<T>(work: Promise<T>): Promise<T | 'waited'> {
  let timer: NodeJS.Timeout | undefined
  const waited = new Promise<'waited'>((resolve) => {
    timer = setTimeout(() => resolve('waited'), 2_000)
  })
  try {
    return await Promise.race([work, waited])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Fills a window, holds its counter row locked in another transaction, and checks that more charges —
 * alone, and in a batch beside another client — are rejected at once rather than queued behind that
 * lock (the engines' lock-free precheck).
 */
export async function expectRejectionWithoutWaitingForTheLock(engine: TestEngine): Promise<void> {
  const { target, cleanup } = await createTestTarget(engine)
  const db = await openKysely(target)
  try {
    const store = await openTestStore(target)
    try {
      const window = { duration: 'minute', start: 0, end: 60_000, limit: 3 } as const
      const charge = { clientId: 'c', windows: [window], cost: 3, at: 0 }
      expect(await store.charge(charge)).toEqual({ allowed: true, used: [3], replayed: false })
      await db.transaction().execute(async (trx) => {
        // The whole primary key: a lock on c's counter row alone (on MySQL, a prefix would lock the gaps
        // beside it too, where other clients' rows go).
        await sql`select used from api_billing_counters
          where client_id = ${'c'} and duration = ${'minute'} and window_start = ${0} for update`.execute(trx)
        const rejected = { allowed: false, used: [3], replayed: false }
        expect(await withinTwoSeconds(store.charge({ ...charge, cost: 1 }))).toEqual(rejected)
        // A batch (charges of one turn) with the full client twice and another client beside it.
        const batch = Promise.all([
          store.charge({ ...charge, cost: 1 }),
          store.charge({ ...charge, clientId: 'd', cost: 1 }),
          store.charge({ ...charge, cost: 2 }),
        ])
        expect(await withinTwoSeconds(batch)).toEqual([
          rejected,
          { allowed: true, used: [1], replayed: false },
          rejected,
        ])
      })
    } finally {
      await store.close()
    }
  } finally {
    await db.destroy()
    await cleanup()
  }
}
