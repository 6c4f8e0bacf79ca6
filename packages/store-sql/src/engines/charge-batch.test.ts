import { describe, expect, it } from '@jest/globals'
import type { ChargeRequest, StoreWindow } from '@x/api-billing-core'
import { chargeBatch } from './charge-batch.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const minute = (limit: number): StoreWindow => ({ duration: 'minute', start: T0, end: T0 + 60_000, limit })
const day: StoreWindow = { duration: 'day', start: T0, end: T0 + 86_400_000, limit: Number.POSITIVE_INFINITY }
const limit = (value: number) => (value === Number.POSITIVE_INFINITY ? null : value)

describe('chargeBatch', () => {
  it('lays out items in arrival order, windows one item after the other and each counter once', () => {
    const requests: ChargeRequest[] = [
      { clientId: 'a', windows: [minute(5), day], cost: 2, at: T0 },
      { clientId: 'b', windows: [minute(7)], cost: 1, at: T0 + 1 },
      { clientId: 'a', windows: [day, minute(4)], cost: 3, at: T0 + 15 * 60_000 },
      { clientId: 'b', windows: [], cost: 1, at: T0 },
    ]
    const batch = chargeBatch(requests, limit)
    expect(batch.clients).toEqual(['a', 'b', 'a', 'b'])
    expect(batch.costs).toEqual([2, 1, 3, 1])
    expect(batch.buckets).toEqual([T0, T0, T0 + 15 * 60_000, T0])
    expect(batch.windowCounts).toEqual([2, 1, 2, 0])
    expect(batch.windowCounters).toEqual([1, 2, 3, 2, 1])
    expect(batch.windowLimits).toEqual([5, null, 7, null, 4])
    expect(batch.counters).toEqual({
      clients: ['a', 'a', 'b'],
      durations: ['minute', 'day', 'minute'],
      starts: [T0, T0, T0],
      ends: [T0 + 60_000, T0 + 86_400_000, T0 + 60_000],
    })
    expect(batch.keys).toEqual([null, null, null, null])
    expect(batch.keyPrevious).toEqual([null, null, null, null])
  })

  it('links each keyed item to the previous item of the same client and key, and marks repeated windows', () => {
    const keyed = (clientId: string, key: string): ChargeRequest => ({
      clientId,
      windows: [minute(5)],
      cost: 1,
      at: T0,
      idempotency: { key, expiresAt: T0 + 60_000 },
    })
    const batch = chargeBatch(
      [
        keyed('a', 'k'),
        keyed('b', 'k'),
        keyed('a', 'k'),
        keyed('a', 'other'),
        keyed('a', 'k'),
        { clientId: 'a', windows: [minute(5), minute(3)], cost: 1, at: T0 },
      ],
      limit,
    )
    expect(batch.keys).toEqual(['k', 'k', 'k', 'other', 'k', null])
    expect(batch.keyExpires).toEqual([T0 + 60_000, T0 + 60_000, T0 + 60_000, T0 + 60_000, T0 + 60_000, null])
    expect(batch.keyPrevious).toEqual([null, null, 1, null, 3, null])
    expect(batch.windowRepeats).toEqual([false, false, false, false, false, false, true])
  })
})
