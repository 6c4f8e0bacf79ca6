import { expect } from '@jest/globals'
import { sql } from 'kysely'
import { createTestTarget, openKysely, openTestStore, type TestEngine } from './test-databases.js'

/**
 * Fills a window, holds its counter row locked in another transaction, and checks that one more charge
 * is rejected at once rather than queued behind that lock (the engine's lock-free precheck).
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
    } finally {
      await store.close()
    }
  } finally {
    await db.destroy()
    await cleanup()
  }
}
