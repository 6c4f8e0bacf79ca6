import { describe, expect, it } from '@jest/globals'
import { chargeInPlace } from './memory-charge-in-place.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import { QuotaDuration } from './quota-duration.js'
import type { ChargeRequest, StoreWindow } from './usage-store.js'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
/** An hour boundary: the minute and the hour windows of T0 start at the same instant. */
const T0 = Date.UTC(2026, 0, 1, 10)
const CLIENT = 'client-a'

const minute = (limit = 100, at = T0): StoreWindow => ({
  duration: QuotaDuration.MINUTE,
  start: at - (at % MINUTE_MS),
  end: at - (at % MINUTE_MS) + MINUTE_MS,
  limit,
})
const hour = (limit = 100): StoreWindow => ({
  duration: QuotaDuration.HOUR,
  start: T0,
  end: T0 + HOUR_MS,
  limit,
})

/** Credits in the client's ledger, over every bucket. */
async function ledgerCredits(store: MemoryUsageStore): Promise<number> {
  const buckets = await store.readUsage({ clientId: CLIENT, from: 0, to: Number.MAX_SAFE_INTEGER })
  return buckets.reduce((sum, b) => sum + b.credits, 0)
}

const request = (windows: StoreWindow[], cost: number, at = T0): ChargeRequest => ({
  clientId: CLIENT,
  windows,
  cost,
  at,
})

describe('a charge decided in place', () => {
  it('charges every window and the ledger bucket of a known client', async () => {
    const store = new MemoryUsageStore()
    store.chargeSync(request([minute(), hour()], 2))
    expect(store.chargeSync(request([minute(), hour()], 3, T0 + 1_000))).toEqual({
      allowed: true,
      used: [5, 5],
      replayed: false,
    })
    expect(await ledgerCredits(store)).toBe(5)
  })

  it('changes nothing when one window is full, and reports what each window holds', async () => {
    const store = new MemoryUsageStore()
    store.chargeSync(request([minute(10), hour(100)], 8))
    expect(store.chargeSync(request([minute(10), hour(100)], 3))).toEqual({
      allowed: false,
      used: [8, 8],
      replayed: false,
    })
    expect(await ledgerCredits(store)).toBe(8)
  })

  it('does not take a counter of another duration for a window that starts at the same instant', async () => {
    const store = new MemoryUsageStore()
    store.chargeSync(request([minute()], 5))
    // The plan changed from a minute to an hour: the hour starts where the minute counter's window does.
    expect(store.chargeSync(request([hour()], 1, T0 + 1_000)).used).toEqual([1])
  })

  it('does not take the counters of a client charged in more windows than the request has', async () => {
    const store = new MemoryUsageStore()
    store.chargeSync(request([hour(), minute()], 4))
    expect(store.chargeSync(request([minute()], 1)).used).toEqual([5])
    expect(store.chargeSync(request([hour()], 1)).used).toEqual([5])
  })

  it('starts the next window and the next ledger bucket the general way', async () => {
    const store = new MemoryUsageStore()
    store.chargeSync(request([minute()], 4))
    const later = T0 + 20 * MINUTE_MS
    expect(store.chargeSync(request([minute(100, later)], 1, later)).used).toEqual([1])
    expect(await ledgerCredits(store)).toBe(5)
  })

  it('answers undefined, for the general path, when the record is not the usual one', () => {
    const record = [1, 1, T0, T0 + MINUTE_MS, 3, Number.NaN, Number.NaN, Number.NaN, T0, 3, 0, 0]
    const usual = request([minute()], 1)
    expect(chargeInPlace([...record], usual)?.used).toEqual([4])
    expect(chargeInPlace([...record], request([hour()], 1))).toBeUndefined()
    expect(chargeInPlace([...record], request([{ ...minute(), overflow: 'bill' }], 1))).toBeUndefined()
    expect(chargeInPlace([...record], request([minute(), hour()], 1))).toBeUndefined()
    expect(chargeInPlace([...record], request([minute()], 1, T0 + 15 * MINUTE_MS))).toBeUndefined()
    // Two counters for a one-window request.
    const hourBlock = [2, T0, T0 + HOUR_MS, 3, Number.NaN, Number.NaN, Number.NaN]
    const twoCounters = [2, ...record.slice(1, 8), ...hourBlock, ...record.slice(8)]
    expect(chargeInPlace(twoCounters, usual)).toBeUndefined()
    // No ledger bucket at all, and a counter whose last numbers look like one: not taken for one.
    const noLedger = [1, 1, T0, T0 + MINUTE_MS, T0, Number.NaN, Number.NaN, Number.NaN]
    expect(chargeInPlace(noLedger, usual)).toBeUndefined()
  })
})
