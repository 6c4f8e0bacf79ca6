import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { expectRejectionWithoutWaitingForTheLock } from './test-support/lock-free-rejection.js'
import { createTestTarget, openTestStore } from './test-support/test-databases.js'

const testApi = { describe, it, beforeEach, afterEach }

for (const batching of [true, false]) {
  usageStoreConformanceSuite({
    name: `SqlUsageStore (MariaDB/MySQL, a fresh database per test, batching ${batching ? 'on' : 'off'})`,
    createStore: async () => {
      const { target, cleanup } = await createTestTarget('mysql')
      const open = () => openTestStore(target, { batching })
      return { store: await open(), reopen: open, cleanup }
    },
    testApi,
  })
}

describe('SqlUsageStore on MariaDB/MySQL', () => {
  it('rejects a charge over a full window without waiting for the lock on its counter', () =>
    expectRejectionWithoutWaitingForTheLock('mysql'))
  it('keeps counters exact up to 2^53 and answers in request order across windows', async () => {
    const { target, cleanup } = await createTestTarget('mysql')
    try {
      const store = await openTestStore(target)
      const big = 2 ** 53 - 2
      const hour = { duration: 'hour', start: 0, end: 3_600_000, limit: 2 ** 53 } as const
      const minute = { duration: 'minute', start: 0, end: 60_000, limit: Number.POSITIVE_INFINITY } as const
      const charge = {
        clientId: 'big',
        windows: [minute, hour],
        cost: big,
        at: 0,
        idempotency: { key: 'k', expiresAt: 60_000 },
      }
      expect(await store.charge(charge)).toEqual({ allowed: true, used: [big, big], replayed: false })
      expect(await store.charge({ ...charge, idempotency: undefined, cost: 2 })).toEqual({
        allowed: true,
        used: [2 ** 53, 2 ** 53],
        replayed: false,
      })
      expect(
        await store.charge({ ...charge, idempotency: { key: 'k2', expiresAt: 60_000 }, cost: 1 }),
      ).toEqual({
        allowed: false,
        used: [2 ** 53, 2 ** 53],
        replayed: false,
      })
      expect(await store.charge(charge)).toEqual({ allowed: true, used: [big, big], replayed: true })
      expect(await store.status('big', [hour, minute])).toEqual([2 ** 53, 2 ** 53])
      await store.close()
    } finally {
      await cleanup()
    }
  })
})
