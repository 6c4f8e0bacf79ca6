import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { expectRejectionWithoutWaitingForTheLock } from './test-support/lock-free-rejection.js'
import { createTestTarget, openTestStore } from './test-support/test-databases.js'

const testApi = { describe, it, beforeEach, afterEach }

for (const batching of [true, false]) {
  usageStoreConformanceSuite({
    name: `SqlUsageStore (Postgres, a fresh schema per test, batching ${batching ? 'on' : 'off'})`,
    createStore: async () => {
      const { target, cleanup } = await createTestTarget('postgres')
      const open = () => openTestStore(target, { batching })
      return { store: await open(), reopen: open, cleanup }
    },
    testApi,
  })
}

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
  it('rejects a charge over a full window without waiting for the lock on its counter', () =>
    expectRejectionWithoutWaitingForTheLock('postgres'))
})
