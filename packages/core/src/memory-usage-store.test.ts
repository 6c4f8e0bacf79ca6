import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import { QuotaDuration } from './quota-duration.js'
import { usageStoreConformanceSuite } from './testing/index.js'
import type { StoreWindow } from './usage-store.js'

usageStoreConformanceSuite({
  name: 'MemoryUsageStore',
  createStore: async () => ({ store: new MemoryUsageStore() }),
  testApi: { describe, it, beforeEach, afterEach },
})

const MINUTE_MS = 60_000
const BUCKET_MS = 15 * MINUTE_MS
const T0 = Date.UTC(2026, 0, 1)
const CLIENT = 'client-a'

/** The `k`-th minute window after T0. */
const minute = (k: number, limit = 1_000): StoreWindow => ({
  duration: QuotaDuration.MINUTE,
  start: T0 + k * MINUTE_MS,
  end: T0 + (k + 1) * MINUTE_MS,
  limit,
})

const day = (limit = 1_000): StoreWindow => ({
  duration: QuotaDuration.DAY,
  start: T0,
  end: T0 + 24 * 60 * MINUTE_MS,
  limit,
})

async function chargeMinute(store: MemoryUsageStore, k: number, cost: number): Promise<readonly number[]> {
  const result = await store.charge({ clientId: CLIENT, windows: [minute(k)], cost, at: T0 + k * MINUTE_MS })
  expect(result.allowed).toBe(true)
  return result.used
}

async function minuteUsage(store: MemoryUsageStore, ...ks: number[]): Promise<readonly number[]> {
  return store.status(
    CLIENT,
    ks.map((k) => minute(k)),
  )
}

describe('MemoryUsageStore windows', () => {
  let store: MemoryUsageStore
  beforeEach(() => {
    store = new MemoryUsageStore()
  })

  it('keeps a late window older than the previous one apart from the current and previous windows', async () => {
    await chargeMinute(store, 2, 3)
    await chargeMinute(store, 3, 5)
    expect(await chargeMinute(store, 1, 2)).toEqual([2])
    expect(await chargeMinute(store, 1, 1)).toEqual([3])
    expect(await minuteUsage(store, 1, 2, 3)).toEqual([3, 3, 5])
  })

  it('counts a late window on its own when the client has no previous window yet', async () => {
    await chargeMinute(store, 3, 5)
    expect(await chargeMinute(store, 1, 2)).toEqual([2])
    expect(await chargeMinute(store, 3, 1)).toEqual([6])
    expect(await minuteUsage(store, 1, 3)).toEqual([2, 6])
  })

  it('forgets late windows and the window before the previous one once a newer window starts', async () => {
    await chargeMinute(store, 2, 3)
    await chargeMinute(store, 3, 5)
    await chargeMinute(store, 1, 2)
    expect(await chargeMinute(store, 4, 7)).toEqual([7])
    expect(await minuteUsage(store, 1, 2, 3, 4)).toEqual([0, 0, 5, 7])
    expect(await chargeMinute(store, 1, 1)).toEqual([1])
  })

  it('refunds a late window, never below zero', async () => {
    await chargeMinute(store, 2, 3)
    await chargeMinute(store, 3, 5)
    await chargeMinute(store, 1, 4)
    const refund = {
      clientId: CLIENT,
      windows: [minute(1)],
      at: T0 + MINUTE_MS,
      refundKeyExpiresAt: T0 + BUCKET_MS,
      now: T0,
    }
    expect(await store.refund({ ...refund, credits: 3, refundKey: 'r1' })).toBe(true)
    expect(await minuteUsage(store, 1, 2, 3)).toEqual([1, 3, 5])
    expect(await store.refund({ ...refund, credits: 3, refundKey: 'r2' })).toBe(true)
    expect(await minuteUsage(store, 1, 2, 3)).toEqual([0, 3, 5])
  })

  it('makes the previous window current again when a range delete removes the current one', async () => {
    await chargeMinute(store, 2, 3)
    await chargeMinute(store, 3, 5)
    await store.deleteUsage({ clientId: CLIENT, from: minute(3).start, to: minute(3).end })
    expect(await minuteUsage(store, 2, 3)).toEqual([3, 0])
    expect(await chargeMinute(store, 3, 1)).toEqual([1])
    expect(await chargeMinute(store, 2, 1)).toEqual([4])
    expect(await minuteUsage(store, 2, 3)).toEqual([4, 1])
  })

  it('purges the ended windows of a client and keeps its running one', async () => {
    await chargeMinute(store, 2, 3)
    await chargeMinute(store, 3, 5)
    await chargeMinute(store, 1, 2)
    await store.purge({ before: minute(3).start, now: T0 })
    expect(await minuteUsage(store, 1, 2, 3)).toEqual([0, 0, 5])
    await store.purge({ before: minute(3).end, now: T0 })
    expect(await minuteUsage(store, 3)).toEqual([0])
    expect(await chargeMinute(store, 3, 1)).toEqual([1])
  })

  it('starts a late window from zero after the whole client was deleted', async () => {
    await chargeMinute(store, 3, 5)
    await chargeMinute(store, 1, 2)
    await store.deleteUsage({ clientId: CLIENT })
    expect(await minuteUsage(store, 1, 3)).toEqual([0, 0])
    expect(await chargeMinute(store, 1, 1)).toEqual([1])
  })

  it('keeps each duration’s counter whatever the order of the windows and when a plan gains a duration', async () => {
    const charge = (windows: StoreWindow[]) => store.charge({ clientId: CLIENT, windows, cost: 1, at: T0 })
    expect((await charge([minute(0)])).used).toEqual([1])
    expect((await charge([day(), minute(0)])).used).toEqual([1, 2])
    expect((await charge([minute(0), day()])).used).toEqual([3, 2])
    expect((await charge([day(2)])).allowed).toBe(false)
    expect(await store.status(CLIENT, [day(), minute(0)])).toEqual([2, 3])
  })
  it('rejects a window of unknown duration with InvalidArgumentError and charges nothing', async () => {
    const fortnight = { ...minute(0), duration: 'fortnight' as QuotaDuration }
    const charge = (clientId: string) =>
      store.charge({ clientId, windows: [minute(0), fortnight], cost: 1, at: T0 })
    await chargeMinute(store, 0, 2)
    await expect(charge(CLIENT)).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(charge('client-b')).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(await minuteUsage(store, 0)).toEqual([2])
    expect(await store.status('client-b', [minute(0)])).toEqual([0])
  })
})

describe('MemoryUsageStore ledger', () => {
  let store: MemoryUsageStore
  beforeEach(() => {
    store = new MemoryUsageStore()
  })

  const chargeAt = (at: number, cost: number) =>
    store.charge({ clientId: CLIENT, windows: [day(1e9)], cost, at })
  const readAll = () => store.readUsage({ clientId: CLIENT, from: 0, to: Number.MAX_SAFE_INTEGER })

  it('keeps buckets ordered when an older bucket is charged after a newer one', async () => {
    await chargeAt(T0 + 3 * BUCKET_MS, 3)
    await chargeAt(T0 + 1 * BUCKET_MS, 1)
    await chargeAt(T0 + 2 * BUCKET_MS + 5, 2)
    await chargeAt(T0 + 3 * BUCKET_MS + 7, 4)
    expect(await readAll()).toEqual([
      { start: T0 + BUCKET_MS, credits: 1, fromBalance: 0, overage: 0 },
      { start: T0 + 2 * BUCKET_MS, credits: 2, fromBalance: 0, overage: 0 },
      { start: T0 + 3 * BUCKET_MS, credits: 7, fromBalance: 0, overage: 0 },
    ])
  })

  it('refunds an older bucket while newer ones are charged', async () => {
    await chargeAt(T0, 5)
    await chargeAt(T0 + BUCKET_MS, 1)
    const refund = {
      clientId: CLIENT,
      windows: [day(1e9)],
      credits: 2,
      refundKeyExpiresAt: T0 + BUCKET_MS,
      now: T0,
    }
    expect(await store.refund({ ...refund, at: T0, refundKey: 'r1' })).toBe(true)
    await chargeAt(T0 + BUCKET_MS, 1)
    expect(await readAll()).toEqual([
      { start: T0, credits: 3, fromBalance: 0, overage: 0 },
      { start: T0 + BUCKET_MS, credits: 2, fromBalance: 0, overage: 0 },
    ])
  })

  it('deletes a range of buckets in the middle and charges into it again', async () => {
    for (let k = 0; k < 5; k++) await chargeAt(T0 + k * BUCKET_MS, k + 1)
    await store.deleteUsage({ clientId: CLIENT, from: T0 + BUCKET_MS, to: T0 + 3 * BUCKET_MS })
    await chargeAt(T0 + 2 * BUCKET_MS, 9)
    expect((await readAll()).map((b) => [(b.start - T0) / BUCKET_MS, b.credits])).toEqual([
      [0, 1],
      [2, 9],
      [3, 4],
      [4, 5],
    ])
  })

  it('sums hundreds of buckets charged in shuffled order', async () => {
    const order = Array.from({ length: 300 }, (_, k) => (k * 7919) % 300)
    for (const k of order) await chargeAt(T0 + k * BUCKET_MS + (k % 11), k + 1)
    for (const k of order) await chargeAt(T0 + k * BUCKET_MS, 1)
    const buckets = await readAll()
    expect(buckets).toHaveLength(300)
    buckets.forEach((bucket, k) => {
      expect(bucket).toEqual({ start: T0 + k * BUCKET_MS, credits: k + 2, fromBalance: 0, overage: 0 })
    })
  })
})
