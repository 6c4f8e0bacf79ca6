import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { ApiBilling } from '../api-billing.js'
import { StoreUnavailableError } from '../errors/store-unavailable-error.js'
import { LEDGER_BUCKET_MS } from '../ledger-bucket.js'
import { QuotaDuration } from '../quota-duration.js'
import { UNLIMITED } from '../unlimited.js'
import type { ChargeRequest, StoreWindow, UsageStore } from '../usage-store.js'
import { ManualClock } from './manual-clock.js'

/** A store handed to one conformance test, with what the suite needs to reopen and dispose of it. */
export interface StoreUnderTest {
  /** A fresh, empty, initialised store that shares no data with any other test's store. */
  readonly store: UsageStore
  /**
   * Opens and initialises a new store on the same data after `store` was closed. Omit it for a store
   * that does not persist (the memory store); the persistence tests then check nothing else.
   */
  readonly reopen?: () => Promise<UsageStore>
  /** Removes what the store created (schema, database, files). Runs after every test. */
  readonly cleanup?: () => Promise<void>
}

/** Options of {@link usageStoreConformanceSuite}. */
export interface UsageStoreConformanceOptions {
  /** Title of the `describe` block, e.g. `'SqlUsageStore (postgres)'`. */
  readonly name: string
  /** Makes the store for one test. Called before every test; no test depends on another. */
  readonly createStore: () => Promise<StoreUnderTest>
  /** Charges in flight at once in the concurrency tests. Default 200. */
  readonly concurrency?: number
}

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

function win(duration: StoreWindow['duration'], start: number, length: number, limit: number): StoreWindow {
  return { duration, start, end: start + length, limit }
}

const minute = (limit: number, start = T0) => win('minute', start, MINUTE, limit)
const day = (limit: number, start = T0 - 12 * HOUR) => win('day', start, DAY, limit)

function charge(
  clientId: string,
  windows: StoreWindow[],
  cost = 1,
  extra: Partial<ChargeRequest> = {},
): ChargeRequest {
  return { clientId, windows, cost, at: T0, ...extra }
}

async function ledgerTotal(store: UsageStore, clientId: string): Promise<number> {
  const buckets = await store.readUsage({
    clientId,
    from: Number.MIN_SAFE_INTEGER,
    to: Number.MAX_SAFE_INTEGER,
  })
  return buckets.reduce((sum, b) => sum + b.credits, 0)
}

/**
 * The contract every `UsageStore` must honour, as one jest `describe` block. A store package calls it
 * once per engine it supports, with a factory for a fresh store; every test gets its own store and
 * runs in any order.
 *
 * @example
 * usageStoreConformanceSuite({ name: 'MemoryUsageStore', createStore: async () => ({ store: new MemoryUsageStore() }) })
 */
export function usageStoreConformanceSuite(options: UsageStoreConformanceOptions): void {
  const concurrency = options.concurrency ?? 200

  describe(`${options.name} conforms to the UsageStore contract`, () => {
    let handle: StoreUnderTest
    let store: UsageStore
    let closed = false

    beforeEach(async () => {
      handle = await options.createStore()
      store = handle.store
      closed = false
    })

    afterEach(async () => {
      if (!closed) await store.close()
      await handle.cleanup?.()
    })

    /** Closes the store and opens it again on the same data; `undefined` when it does not persist. */
    async function reopen(): Promise<UsageStore | undefined> {
      if (handle.reopen === undefined) return undefined
      await store.close()
      store = await handle.reopen()
      return store
    }

    describe('charging', () => {
      it('charges every window and answers the new used values in request order', async () => {
        const result = await store.charge(charge('a', [minute(10), day(100)], 3))
        expect(result).toEqual({ allowed: true, used: [3, 3], replayed: false })
        expect(await store.status('a', [minute(10), day(100)])).toEqual([3, 3])
      })

      it('reports 0 for windows never charged and changes nothing when reading status', async () => {
        expect(await store.status('nobody', [minute(10), day(100)])).toEqual([0, 0])
        await store.charge(charge('a', [minute(10)], 2))
        await store.status('a', [minute(10)])
        expect(await store.status('a', [minute(10)])).toEqual([2])
      })

      it('allows a cost that exactly uses up the limit and rejects one credit more', async () => {
        expect((await store.charge(charge('a', [minute(5)], 5))).allowed).toBe(true)
        const rejected = await store.charge(charge('a', [minute(5)], 1))
        expect(rejected).toEqual({ allowed: false, used: [5], replayed: false })
      })

      it('charges nothing anywhere when one window lacks room (all-or-nothing)', async () => {
        await store.charge(charge('a', [minute(10), day(4)], 4))
        const rejected = await store.charge(charge('a', [minute(10), day(4)], 1))
        expect(rejected.allowed).toBe(false)
        expect(rejected.used).toEqual([4, 4])
        expect(await store.status('a', [minute(10), day(4)])).toEqual([4, 4])
        expect(await ledgerTotal(store, 'a')).toBe(4)
      })

      it('rejects a cost larger than the whole limit without charging', async () => {
        const rejected = await store.charge(charge('a', [minute(3)], 4))
        expect(rejected).toEqual({ allowed: false, used: [0], replayed: false })
        expect(await ledgerTotal(store, 'a')).toBe(0)
      })

      it('counts an unlimited window but never rejects because of it', async () => {
        await store.charge(charge('a', [minute(UNLIMITED)], 1_000_000))
        const result = await store.charge(charge('a', [minute(UNLIMITED), day(UNLIMITED)], 5))
        expect(result).toEqual({ allowed: true, used: [1_000_005, 5], replayed: false })
      })

      it('rejects any positive cost in a zero-limit window and allows a zero cost', async () => {
        expect((await store.charge(charge('a', [minute(0)], 1))).allowed).toBe(false)
        expect(await store.charge(charge('a', [minute(0)], 0))).toEqual({
          allowed: true,
          used: [0],
          replayed: false,
        })
      })

      it('keeps clients apart', async () => {
        await store.charge(charge('a', [minute(10)], 7))
        await store.charge(charge('b', [minute(10)], 2))
        expect(await store.status('a', [minute(10)])).toEqual([7])
        expect(await store.status('b', [minute(10)])).toEqual([2])
      })

      it('treats client ids as opaque strings (unicode, separators, quotes)', async () => {
        const ids = ['ключ-🙂', 'o\'brien"; DROP TABLE x;--', 'a:b|c\u0000d'.replace('\u0000', '/'), 'A', 'a']
        for (const [i, id] of ids.entries()) await store.charge(charge(id, [minute(100)], i + 1))
        for (const [i, id] of ids.entries()) expect(await store.status(id, [minute(100)])).toEqual([i + 1])
      })

      it('holds large credit numbers exactly', async () => {
        const limit = 2 ** 40
        await store.charge(charge('a', [minute(limit)], 2 ** 33))
        const result = await store.charge(charge('a', [minute(limit)], 2 ** 33 + 7))
        expect(result.used).toEqual([2 ** 34 + 7])
        expect(await ledgerTotal(store, 'a')).toBe(2 ** 34 + 7)
      })
    })

    describe('windows', () => {
      it('starts a new window at 0 and leaves the previous one as it was', async () => {
        await store.charge(charge('a', [minute(5)], 5))
        const next = minute(5, T0 + MINUTE)
        expect(await store.charge(charge('a', [next], 2, { at: T0 + MINUTE }))).toEqual({
          allowed: true,
          used: [2],
          replayed: false,
        })
        expect(await store.status('a', [minute(5)])).toEqual([5])
      })

      it('never resets a newer window when a lagging instance charges an older one', async () => {
        const older = minute(10)
        const newer = minute(10, T0 + MINUTE)
        await store.charge(charge('a', [older], 2))
        await store.charge(charge('a', [newer], 3, { at: T0 + MINUTE }))
        await store.charge(charge('a', [older], 1))
        expect(await store.status('a', [newer])).toEqual([3])
        expect(await store.status('a', [older])).toEqual([3])
        await store.charge(charge('a', [newer], 1, { at: T0 + MINUTE }))
        expect(await store.status('a', [newer])).toEqual([4])
      })
    })

    describe('concurrency', () => {
      it(`grants exactly the limit when ${concurrency} charges race for one window`, async () => {
        const limit = Math.floor(concurrency / 2)
        const results = await Promise.all(
          Array.from({ length: concurrency }, () =>
            store.charge(charge('race', [minute(limit), day(UNLIMITED)], 1)),
          ),
        )
        expect(results.filter((r) => r.allowed)).toHaveLength(limit)
        expect(await store.status('race', [minute(limit), day(UNLIMITED)])).toEqual([limit, limit])
        expect(await ledgerTotal(store, 'race')).toBe(limit)
        const granted = results.filter((r) => r.allowed).map((r) => r.used[0])
        expect(new Set(granted).size).toBe(limit)
      })

      it('keeps all-or-nothing when racing charges are stopped by different windows', async () => {
        const windows = [minute(30), day(45)]
        const results = await Promise.all(
          Array.from({ length: concurrency }, (_, i) => store.charge(charge('mixed', windows, (i % 3) + 1))),
        )
        const [used] = await store.status('mixed', windows)
        expect(used).toBeLessThanOrEqual(30)
        expect(await store.status('mixed', windows)).toEqual([used, used])
        expect(await ledgerTotal(store, 'mixed')).toBe(used)
        const grantedCost = results
          .map((r, i) => (r.allowed ? (i % 3) + 1 : 0))
          .reduce((sum, c) => sum + c, 0)
        expect(grantedCost).toBe(used)
      })
    })

    describe('idempotency', () => {
      const keyed = (key: string, cost = 1, at = T0) =>
        charge('a', [minute(10)], cost, { at, idempotencyKey: key, idempotencyExpiresAt: T0 + HOUR })

      it('charges a repeated key once and replays the first answer', async () => {
        const first = await store.charge(keyed('k1', 3))
        await store.charge(charge('a', [minute(10)], 1))
        const again = await store.charge(keyed('k1', 3))
        expect(first).toEqual({ allowed: true, used: [3], replayed: false })
        expect(again).toEqual({ allowed: true, used: [3], replayed: true })
        expect(await store.status('a', [minute(10)])).toEqual([4])
        expect(await ledgerTotal(store, 'a')).toBe(4)
      })

      it('charges a key once when the same request races with itself', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.charge(keyed('race', 2))))
        expect(results.filter((r) => !r.replayed)).toHaveLength(1)
        expect(results.every((r) => r.allowed && r.used[0] === 2)).toBe(true)
        expect(await store.status('a', [minute(10)])).toEqual([2])
      })

      it('scopes keys per client', async () => {
        await store.charge(keyed('shared', 1))
        const other = await store.charge({ ...keyed('shared', 1), clientId: 'b' })
        expect(other.replayed).toBe(false)
        expect(await store.status('b', [minute(10)])).toEqual([1])
      })

      it('does not remember a rejected charge, so the key can succeed later', async () => {
        expect((await store.charge(keyed('big', 11))).allowed).toBe(false)
        expect(await store.charge(keyed('big', 4))).toEqual({ allowed: true, used: [4], replayed: false })
      })

      it('forgets a key once it has expired', async () => {
        await store.charge(keyed('old', 1))
        const later = await store.charge(keyed('old', 1, T0 + HOUR))
        expect(later.replayed).toBe(false)
        expect(await store.status('a', [minute(10)])).toEqual([2])
      })
    })

    describe('refunds', () => {
      const refund = (credits: number, key = 'r1', windows = [minute(10), day(100)]) =>
        store.refund({
          clientId: 'a',
          windows,
          credits,
          at: T0,
          refundKey: key,
          refundKeyExpiresAt: T0 + DAY,
        })

      it('gives credits back to every window and to the ledger', async () => {
        await store.charge(charge('a', [minute(10), day(100)], 6))
        expect(await refund(4)).toBe(true)
        expect(await store.status('a', [minute(10), day(100)])).toEqual([2, 2])
        expect(await ledgerTotal(store, 'a')).toBe(2)
      })

      it('applies a refund key once, also when refunds race', async () => {
        await store.charge(charge('a', [minute(10), day(100)], 6))
        const results = await Promise.all(Array.from({ length: 10 }, () => refund(2, 'same')))
        expect(results.filter(Boolean)).toHaveLength(1)
        expect(await refund(2, 'same')).toBe(false)
        expect(await store.status('a', [minute(10), day(100)])).toEqual([4, 4])
      })

      it('never goes below zero', async () => {
        await store.charge(charge('a', [minute(10), day(100)], 2))
        await refund(5)
        expect(await store.status('a', [minute(10), day(100)])).toEqual([0, 0])
        expect(await ledgerTotal(store, 'a')).toBe(0)
      })

      it('forgets the idempotency key of the refunded charge, so a retry is charged again', async () => {
        const keyed = charge('a', [minute(10)], 3, { idempotencyKey: 'k', idempotencyExpiresAt: T0 + HOUR })
        await store.charge(keyed)
        await store.refund({
          clientId: 'a',
          windows: [minute(10)],
          credits: 3,
          at: T0,
          refundKey: 'r',
          refundKeyExpiresAt: T0 + DAY,
          idempotencyKey: 'k',
        })
        expect(await store.charge(keyed)).toEqual({ allowed: true, used: [3], replayed: false })
      })

      it('makes room for new charges', async () => {
        await store.charge(charge('a', [minute(10)], 10))
        await refund(3, 'r', [minute(10)])
        expect((await store.charge(charge('a', [minute(10)], 3))).allowed).toBe(true)
        expect((await store.charge(charge('a', [minute(10)], 1))).allowed).toBe(false)
      })
    })

    describe('usage ledger', () => {
      it('aggregates charges into 15-minute buckets ordered by start', async () => {
        await store.charge(charge('a', [day(UNLIMITED)], 2, { at: T0 + 20 * MINUTE }))
        await store.charge(charge('a', [day(UNLIMITED)], 1, { at: T0 }))
        await store.charge(charge('a', [day(UNLIMITED)], 4, { at: T0 + 14 * MINUTE }))
        const buckets = await store.readUsage({ clientId: 'a', from: T0 - DAY, to: T0 + DAY })
        expect(buckets).toEqual([
          { start: T0, credits: 5 },
          { start: T0 + LEDGER_BUCKET_MS, credits: 2 },
        ])
      })

      it('reads only buckets that start inside [from, to)', async () => {
        for (let i = 0; i < 4; i++) {
          await store.charge(charge('a', [day(UNLIMITED)], i + 1, { at: T0 + i * LEDGER_BUCKET_MS }))
        }
        const buckets = await store.readUsage({
          clientId: 'a',
          from: T0 + LEDGER_BUCKET_MS,
          to: T0 + 3 * LEDGER_BUCKET_MS,
        })
        expect(buckets.map((b) => b.credits)).toEqual([2, 3])
      })

      it('does not record rejected charges', async () => {
        await store.charge(charge('a', [minute(1)], 1))
        await store.charge(charge('a', [minute(1)], 1))
        expect(await ledgerTotal(store, 'a')).toBe(1)
      })
    })

    describe('deleting and retention', () => {
      it('deletes all of a client’s usage, counters and keys, and no one else’s', async () => {
        await store.charge(
          charge('a', [minute(10)], 3, { idempotencyKey: 'k', idempotencyExpiresAt: T0 + HOUR }),
        )
        await store.charge(charge('b', [minute(10)], 1))
        await store.deleteUsage({ clientId: 'a' })
        expect(await store.status('a', [minute(10)])).toEqual([0])
        expect(await ledgerTotal(store, 'a')).toBe(0)
        const again = await store.charge(
          charge('a', [minute(10)], 3, { idempotencyKey: 'k', idempotencyExpiresAt: T0 + HOUR }),
        )
        expect(again.replayed).toBe(false)
        expect(await store.status('b', [minute(10)])).toEqual([1])
      })

      it('deletes only the ledger buckets and counters that start inside a range', async () => {
        await store.charge(charge('a', [minute(10)], 1))
        await store.charge(charge('a', [minute(10, T0 + DAY)], 2, { at: T0 + DAY }))
        await store.deleteUsage({ clientId: 'a', from: T0 + DAY, to: T0 + 2 * DAY })
        expect(await ledgerTotal(store, 'a')).toBe(1)
        expect(await store.status('a', [minute(10)])).toEqual([1])
        expect(await store.status('a', [minute(10, T0 + DAY)])).toEqual([0])
      })

      it('purges old buckets, ended windows and expired keys, keeping the rest', async () => {
        const old = T0 - 30 * DAY
        await store.charge(charge('a', [minute(10, old)], 4, { at: old }))
        await store.charge(
          charge('a', [minute(10)], 2, { idempotencyKey: 'k', idempotencyExpiresAt: T0 + MINUTE }),
        )
        await store.purge({ before: T0 - DAY, now: T0 + 2 * MINUTE })
        expect(await ledgerTotal(store, 'a')).toBe(2)
        expect(await store.status('a', [minute(10, old)])).toEqual([0])
        expect(await store.status('a', [minute(10)])).toEqual([2])
        const again = await store.charge(
          charge('a', [minute(10)], 2, { idempotencyKey: 'k', idempotencyExpiresAt: T0 + HOUR }),
        )
        expect(again.replayed).toBe(false)
      })
    })

    describe('lifecycle', () => {
      it('initialises again without losing data', async () => {
        await store.charge(charge('a', [minute(10)], 3))
        await store.init()
        expect(await store.status('a', [minute(10)])).toEqual([3])
      })

      it('keeps counters, ledger and keys across close and reopen (where it persists)', async () => {
        await store.charge(
          charge('a', [minute(10)], 3, { idempotencyKey: 'k', idempotencyExpiresAt: T0 + HOUR }),
        )
        const reopened = await reopen()
        if (reopened === undefined) return
        expect(await reopened.status('a', [minute(10)])).toEqual([3])
        expect(await ledgerTotal(reopened, 'a')).toBe(3)
        expect(
          (
            await reopened.charge(
              charge('a', [minute(10)], 3, { idempotencyKey: 'k', idempotencyExpiresAt: T0 + HOUR }),
            )
          ).replayed,
        ).toBe(true)
      })

      it('rejects calls after close with StoreUnavailableError', async () => {
        await store.close()
        closed = true
        await expect(store.charge(charge('a', [minute(10)]))).rejects.toBeInstanceOf(StoreUnavailableError)
      })
    })

    describe('through the engine with an injected clock', () => {
      function engine(start: string) {
        const clock = new ManualClock(start)
        return { clock, billing: new ApiBilling({ store, clock: clock.now }) }
      }

      it('anchors monthly windows on the 31st and clamps to short months', async () => {
        const { clock, billing } = engine('2025-01-31T10:00:00Z')
        await billing.updateClientQuotas('m', [
          { duration: QuotaDuration.MONTH, creditLimit: 3, startDate: new Date('2024-12-31T00:00:00Z') },
        ])
        expect((await billing.tryTrackClientUsage('m', 3)).allowed).toBe(true)
        clock.set('2025-02-27T23:59:59Z')
        expect((await billing.tryTrackClientUsage('m', 1)).allowed).toBe(false)
        clock.set('2025-02-28T00:00:00Z')
        const feb = await billing.tryTrackClientUsage('m', 2)
        expect(feb.allowed).toBe(true)
        expect(feb.windows[0]?.start.toISOString()).toBe('2025-02-28T00:00:00.000Z')
        expect(feb.windows[0]?.resetAt.toISOString()).toBe('2025-03-31T00:00:00.000Z')
        clock.set('2025-03-31T00:00:00Z')
        expect((await billing.getQuotaStatus('m')).windows[0]?.used).toBe(0)
      })

      it('renews a Feb 29 yearly window on Feb 28 in common years', async () => {
        const { clock, billing } = engine('2025-02-27T12:00:00Z')
        await billing.updateClientQuotas('y', [
          { duration: QuotaDuration.YEAR, creditLimit: 1, startDate: new Date('2024-02-29T00:00:00Z') },
        ])
        await billing.trackClientUsage('y')
        clock.set('2025-02-28T00:00:00Z')
        expect((await billing.tryTrackClientUsage('y')).allowed).toBe(true)
      })

      it('counts a 23-hour DST day in America/New_York as one window', async () => {
        const { clock, billing } = engine('2026-03-08T05:00:00Z')
        await billing.updateClientQuotas('ny', [
          { duration: QuotaDuration.DAY, creditLimit: 2, timeZone: 'America/New_York' },
        ])
        const first = await billing.trackClientUsage('ny')
        expect(first.windows[0]?.start.toISOString()).toBe('2026-03-08T05:00:00.000Z')
        expect(first.windows[0]?.resetAt.toISOString()).toBe('2026-03-09T04:00:00.000Z')
        clock.set('2026-03-09T03:59:59Z')
        await billing.trackClientUsage('ny')
        expect((await billing.tryTrackClientUsage('ny')).allowed).toBe(false)
        clock.set('2026-03-09T04:00:00Z')
        expect((await billing.tryTrackClientUsage('ny')).allowed).toBe(true)
      })

      it('reports daily usage on Asia/Kathmandu days (+05:45)', async () => {
        const { clock, billing } = engine('2026-05-01T18:14:00Z')
        await billing.updateClientQuotas('np', [{ duration: QuotaDuration.DAY, creditLimit: UNLIMITED }])
        await billing.trackClientUsage('np', 2) // 23:59 on May 1 in Kathmandu
        clock.set('2026-05-01T18:15:00Z')
        await billing.trackClientUsage('np', 5) // 00:00 on May 2
        clock.set('2026-05-02T18:14:59Z')
        await billing.trackClientUsage('np', 7) // 23:59:59 on May 2
        const daily = await billing.getDailyUsage(
          'np',
          new Date('2026-04-30T18:15:00Z'),
          new Date('2026-05-03T18:15:00Z'),
          {
            timeZone: 'Asia/Kathmandu',
          },
        )
        expect(daily).toEqual([
          { date: '2026-05-01', credits: 2 },
          { date: '2026-05-02', credits: 12 },
          { date: '2026-05-03', credits: 0 },
        ])
        expect(await billing.getTotalUsage('np')).toBe(14)
      })

      it('refunds a decision once through the engine', async () => {
        const { billing } = engine('2026-05-01T10:00:00Z')
        await billing.updateClientQuotas('r', [{ duration: QuotaDuration.HOUR, creditLimit: 10 }])
        const decision = await billing.trackClientUsage('r', 4)
        expect(await billing.refund(decision)).toBe(true)
        expect(await billing.refund(decision)).toBe(false)
        expect((await billing.getQuotaStatus('r')).windows[0]?.used).toBe(0)
        expect(await billing.getTotalUsage('r')).toBe(0)
      })
    })
  })
}
