import { describe, expect, it } from '@jest/globals'
import { type DeleteUsageRequest, InvalidArgumentError } from '@x/api-billing-core'
import { createTestTarget, openTestStore, type TestEngine } from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)

describe.each<TestEngine>(['sqlite', 'postgres', 'mysql'])('%s edge cases', (engine) => {
  it('charges a request with no windows to the ledger only, and reads and refunds no windows', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const store = await openTestStore(target)
    try {
      expect(await store.charge({ clientId: 'a', windows: [], cost: 4, at: T0 })).toEqual({
        allowed: true,
        used: [],
        replayed: false,
      })
      expect(await store.status('a', [])).toEqual([])
      const refund = {
        clientId: 'a',
        windows: [],
        credits: 1,
        at: T0,
        refundKey: 'r',
        refundKeyExpiresAt: T0 + 1,
        now: T0,
      }
      expect(await store.refund(refund)).toBe(true)
      expect(await store.readUsage({ clientId: 'a', from: T0 - 1, to: T0 + 1 })).toEqual([
        { start: T0, credits: 3, fromBalance: 0, overage: 0 },
      ])
    } finally {
      await store.close()
      await cleanup()
    }
  })

  it('reads usage with unbounded ranges, deletes an open-ended range and refuses half a range', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const store = await openTestStore(target)
    try {
      const window = { duration: 'hour' as const, start: T0, end: T0 + 3_600_000, limit: 10 }
      await store.charge({ clientId: 'a', windows: [window], cost: 2, at: T0 })
      const all = { clientId: 'a', from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }
      expect(await store.readUsage(all)).toEqual([{ start: T0, credits: 2, fromBalance: 0, overage: 0 }])
      const half = { clientId: 'a', to: T0 + 1 } as unknown as DeleteUsageRequest
      await expect(store.deleteUsage(half)).rejects.toThrow(InvalidArgumentError)
      await store.deleteUsage({ clientId: 'a', from: T0 + 1, to: Number.POSITIVE_INFINITY })
      expect(await store.status('a', [window])).toEqual([2])
      await store.deleteUsage({ clientId: 'a', from: T0, to: Number.POSITIVE_INFINITY })
      expect(await store.status('a', [window])).toEqual([0])
      expect(await store.readUsage(all)).toEqual([])
    } finally {
      await store.close()
      await cleanup()
    }
  })
})
