import assert from 'node:assert/strict'
import { ApiBilling } from '../api-billing.js'
import { StoreUnavailableError } from '../errors/store-unavailable-error.js'
import { LEDGER_BUCKET_MS } from '../ledger-bucket.js'
import { QuotaDuration } from '../quota-duration.js'
import { UNLIMITED } from '../unlimited.js'
import type { ChargeRequest, StoreWindow, UsageStore } from '../usage-store.js'
import type { ConformanceTestApi } from './conformance-test-api.js'
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
  /**
   * The test runner's `describe`, `it`, `beforeEach` and `afterEach` (jest: from `@jest/globals`;
   * vitest: from `vitest`; node:test: see {@link ConformanceTestApi}).
   */
  readonly testApi: ConformanceTestApi
  /** Timeout of each test in ms, handed to `it`. Default `undefined`: the runner's own default. */
  readonly timeoutMs?: number
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
 * The contract every `UsageStore` must honour, as one `describe` block of the caller's test runner
 * (jest, vitest or node:test; the assertions use `node:assert/strict`). A store package calls it once
 * per engine it supports, with a factory for a fresh store; every test gets its own store and runs in
 * any order.
 *
 * @example
 * import { afterEach, beforeEach, describe, it } from '@jest/globals'
 *
 * usageStoreConformanceSuite({
 *   name: 'MemoryUsageStore',
 *   createStore: async () => ({ store: new MemoryUsageStore() }),
 *   testApi: { describe, it, beforeEach, afterEach },
 * })
 */
export function usageStoreConformanceSuite(options: UsageStoreConformanceOptions): void {
  const concurrency = options.concurrency ?? 200
  const { describe, beforeEach, afterEach } = options.testApi
  const it = (name: string, fn: () => Promise<void>): void => options.testApi.it(name, fn, options.timeoutMs)

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
        assert.deepStrictEqual(result, { allowed: true, used: [3, 3], replayed: false })
        assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [3, 3])
      })

      it('reports 0 for windows never charged and changes nothing when reading status', async () => {
        assert.deepStrictEqual(await store.status('nobody', [minute(10), day(100)]), [0, 0])
        await store.charge(charge('a', [minute(10)], 2))
        await store.status('a', [minute(10)])
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [2])
      })

      it('allows a cost that exactly uses up the limit and rejects one credit more', async () => {
        assert.strictEqual((await store.charge(charge('a', [minute(5)], 5))).allowed, true)
        const rejected = await store.charge(charge('a', [minute(5)], 1))
        assert.deepStrictEqual(rejected, { allowed: false, used: [5], replayed: false })
      })

      it('charges nothing anywhere when one window lacks room (all-or-nothing)', async () => {
        await store.charge(charge('a', [minute(10), day(4)], 4))
        const rejected = await store.charge(charge('a', [minute(10), day(4)], 1))
        assert.strictEqual(rejected.allowed, false)
        assert.deepStrictEqual(rejected.used, [4, 4])
        assert.deepStrictEqual(await store.status('a', [minute(10), day(4)]), [4, 4])
        assert.strictEqual(await ledgerTotal(store, 'a'), 4)
      })

      it('rejects a cost larger than the whole limit without charging', async () => {
        const rejected = await store.charge(charge('a', [minute(3)], 4))
        assert.deepStrictEqual(rejected, { allowed: false, used: [0], replayed: false })
        assert.strictEqual(await ledgerTotal(store, 'a'), 0)
      })

      it('counts an unlimited window but never rejects because of it', async () => {
        await store.charge(charge('a', [minute(UNLIMITED)], 1_000_000))
        const result = await store.charge(charge('a', [minute(UNLIMITED), day(UNLIMITED)], 5))
        assert.deepStrictEqual(result, { allowed: true, used: [1_000_005, 5], replayed: false })
      })

      it('rejects any positive cost in a zero-limit window and allows a zero cost', async () => {
        assert.strictEqual((await store.charge(charge('a', [minute(0)], 1))).allowed, false)
        assert.deepStrictEqual(await store.charge(charge('a', [minute(0)], 0)), {
          allowed: true,
          used: [0],
          replayed: false,
        })
      })

      it('keeps clients apart', async () => {
        await store.charge(charge('a', [minute(10)], 7))
        await store.charge(charge('b', [minute(10)], 2))
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [7])
        assert.deepStrictEqual(await store.status('b', [minute(10)]), [2])
      })

      it('treats client ids as opaque strings (unicode, separators, quotes)', async () => {
        const ids = ['ключ-🙂', 'o\'brien"; DROP TABLE x;--', 'a:b|c\u0000d'.replace('\u0000', '/'), 'A', 'a']
        for (const [i, id] of ids.entries()) await store.charge(charge(id, [minute(100)], i + 1))
        for (const [i, id] of ids.entries())
          assert.deepStrictEqual(await store.status(id, [minute(100)]), [i + 1])
      })

      it('holds large credit numbers exactly', async () => {
        const limit = 2 ** 40
        await store.charge(charge('a', [minute(limit)], 2 ** 33))
        const result = await store.charge(charge('a', [minute(limit)], 2 ** 33 + 7))
        assert.deepStrictEqual(result.used, [2 ** 34 + 7])
        assert.strictEqual(await ledgerTotal(store, 'a'), 2 ** 34 + 7)
      })
    })

    describe('windows', () => {
      it('starts a new window at 0 and leaves the previous one as it was', async () => {
        await store.charge(charge('a', [minute(5)], 5))
        const next = minute(5, T0 + MINUTE)
        assert.deepStrictEqual(await store.charge(charge('a', [next], 2, { at: T0 + MINUTE })), {
          allowed: true,
          used: [2],
          replayed: false,
        })
        assert.deepStrictEqual(await store.status('a', [minute(5)]), [5])
      })

      it('never resets a newer window when a lagging instance charges an older one', async () => {
        const older = minute(10)
        const newer = minute(10, T0 + MINUTE)
        await store.charge(charge('a', [older], 2))
        await store.charge(charge('a', [newer], 3, { at: T0 + MINUTE }))
        await store.charge(charge('a', [older], 1))
        assert.deepStrictEqual(await store.status('a', [newer]), [3])
        assert.deepStrictEqual(await store.status('a', [older]), [3])
        await store.charge(charge('a', [newer], 1, { at: T0 + MINUTE }))
        assert.deepStrictEqual(await store.status('a', [newer]), [4])
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
        assert.strictEqual(results.filter((r) => r.allowed).length, limit)
        assert.deepStrictEqual(await store.status('race', [minute(limit), day(UNLIMITED)]), [limit, limit])
        assert.strictEqual(await ledgerTotal(store, 'race'), limit)
        const granted = results.filter((r) => r.allowed).map((r) => r.used[0])
        assert.strictEqual(new Set(granted).size, limit)
      })

      it('keeps all-or-nothing when racing charges are stopped by different windows', async () => {
        const windows = [minute(30), day(45)]
        const results = await Promise.all(
          Array.from({ length: concurrency }, (_, i) => store.charge(charge('mixed', windows, (i % 3) + 1))),
        )
        const [used] = await store.status('mixed', windows)
        assert.ok(used !== undefined && used <= 30, `used ${used} is over the limit 30`)
        assert.deepStrictEqual(await store.status('mixed', windows), [used, used])
        assert.strictEqual(await ledgerTotal(store, 'mixed'), used)
        const grantedCost = results
          .map((r, i) => (r.allowed ? (i % 3) + 1 : 0))
          .reduce((sum, c) => sum + c, 0)
        assert.strictEqual(grantedCost, used)
      })
    })

    describe('idempotency', () => {
      const keyed = (key: string, cost = 1, at = T0) =>
        charge('a', [minute(10)], cost, { at, idempotency: { key, expiresAt: T0 + HOUR } })

      it('charges a repeated key once and replays the first answer', async () => {
        const first = await store.charge(keyed('k1', 3))
        await store.charge(charge('a', [minute(10)], 1))
        const again = await store.charge(keyed('k1', 3))
        assert.deepStrictEqual(first, { allowed: true, used: [3], replayed: false })
        assert.deepStrictEqual(again, { allowed: true, used: [3], replayed: true })
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [4])
        assert.strictEqual(await ledgerTotal(store, 'a'), 4)
      })

      it('charges a key once when the same request races with itself', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.charge(keyed('race', 2))))
        assert.strictEqual(results.filter((r) => !r.replayed).length, 1)
        assert.ok(results.every((r) => r.allowed && r.used[0] === 2))
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [2])
      })

      it('scopes keys per client', async () => {
        await store.charge(keyed('shared', 1))
        const other = await store.charge({ ...keyed('shared', 1), clientId: 'b' })
        assert.strictEqual(other.replayed, false)
        assert.deepStrictEqual(await store.status('b', [minute(10)]), [1])
      })

      it('does not remember a rejected charge, so the key can succeed later', async () => {
        assert.strictEqual((await store.charge(keyed('big', 11))).allowed, false)
        assert.deepStrictEqual(await store.charge(keyed('big', 4)), {
          allowed: true,
          used: [4],
          replayed: false,
        })
      })

      it('forgets a key once it has expired', async () => {
        await store.charge(keyed('old', 1))
        const later = await store.charge(keyed('old', 1, T0 + HOUR))
        assert.strictEqual(later.replayed, false)
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [2])
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
        assert.strictEqual(await refund(4), true)
        assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [2, 2])
        assert.strictEqual(await ledgerTotal(store, 'a'), 2)
      })

      it('applies a refund key once, also when refunds race', async () => {
        await store.charge(charge('a', [minute(10), day(100)], 6))
        const results = await Promise.all(Array.from({ length: 10 }, () => refund(2, 'same')))
        assert.strictEqual(results.filter(Boolean).length, 1)
        assert.strictEqual(await refund(2, 'same'), false)
        assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [4, 4])
      })

      it('never goes below zero', async () => {
        await store.charge(charge('a', [minute(10), day(100)], 2))
        await refund(5)
        assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [0, 0])
        assert.strictEqual(await ledgerTotal(store, 'a'), 0)
      })

      it('forgets the idempotency key of the refunded charge, so a retry is charged again', async () => {
        const keyed = charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } })
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
        assert.deepStrictEqual(await store.charge(keyed), { allowed: true, used: [3], replayed: false })
      })

      it('makes room for new charges', async () => {
        await store.charge(charge('a', [minute(10)], 10))
        await refund(3, 'r', [minute(10)])
        assert.strictEqual((await store.charge(charge('a', [minute(10)], 3))).allowed, true)
        assert.strictEqual((await store.charge(charge('a', [minute(10)], 1))).allowed, false)
      })
    })

    describe('usage ledger', () => {
      it('aggregates charges into 15-minute buckets ordered by start', async () => {
        await store.charge(charge('a', [day(UNLIMITED)], 2, { at: T0 + 20 * MINUTE }))
        await store.charge(charge('a', [day(UNLIMITED)], 1, { at: T0 }))
        await store.charge(charge('a', [day(UNLIMITED)], 4, { at: T0 + 14 * MINUTE }))
        const buckets = await store.readUsage({ clientId: 'a', from: T0 - DAY, to: T0 + DAY })
        assert.deepStrictEqual(buckets, [
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
        assert.deepStrictEqual(
          buckets.map((b) => b.credits),
          [2, 3],
        )
      })

      it('does not record rejected charges', async () => {
        await store.charge(charge('a', [minute(1)], 1))
        await store.charge(charge('a', [minute(1)], 1))
        assert.strictEqual(await ledgerTotal(store, 'a'), 1)
      })
    })

    describe('deleting and retention', () => {
      it('deletes all of a client’s usage, counters and keys, and no one else’s', async () => {
        await store.charge(charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } }))
        await store.charge(charge('b', [minute(10)], 1))
        await store.deleteUsage({ clientId: 'a' })
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [0])
        assert.strictEqual(await ledgerTotal(store, 'a'), 0)
        const again = await store.charge(
          charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } }),
        )
        assert.strictEqual(again.replayed, false)
        assert.deepStrictEqual(await store.status('b', [minute(10)]), [1])
      })

      it('deletes only the ledger buckets and counters that start inside a range', async () => {
        await store.charge(charge('a', [minute(10)], 1))
        await store.charge(charge('a', [minute(10, T0 + DAY)], 2, { at: T0 + DAY }))
        await store.deleteUsage({ clientId: 'a', from: T0 + DAY, to: T0 + 2 * DAY })
        assert.strictEqual(await ledgerTotal(store, 'a'), 1)
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [1])
        assert.deepStrictEqual(await store.status('a', [minute(10, T0 + DAY)]), [0])
      })

      it('purges old buckets, ended windows and expired keys, keeping the rest', async () => {
        const old = T0 - 30 * DAY
        await store.charge(charge('a', [minute(10, old)], 4, { at: old }))
        await store.charge(
          charge('a', [minute(10)], 2, { idempotency: { key: 'k', expiresAt: T0 + MINUTE } }),
        )
        await store.purge({ before: T0 - DAY, now: T0 + 2 * MINUTE })
        assert.strictEqual(await ledgerTotal(store, 'a'), 2)
        assert.deepStrictEqual(await store.status('a', [minute(10, old)]), [0])
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [2])
        const again = await store.charge(
          charge('a', [minute(10)], 2, { idempotency: { key: 'k', expiresAt: T0 + HOUR } }),
        )
        assert.strictEqual(again.replayed, false)
      })
    })

    describe('lifecycle', () => {
      it('initialises again without losing data', async () => {
        await store.charge(charge('a', [minute(10)], 3))
        await store.init()
        assert.deepStrictEqual(await store.status('a', [minute(10)]), [3])
      })

      it('keeps counters, ledger and keys across close and reopen (where it persists)', async () => {
        await store.charge(charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } }))
        const reopened = await reopen()
        if (reopened === undefined) return
        assert.deepStrictEqual(await reopened.status('a', [minute(10)]), [3])
        assert.strictEqual(await ledgerTotal(reopened, 'a'), 3)
        const again = await reopened.charge(
          charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } }),
        )
        assert.strictEqual(again.replayed, true)
      })

      it('rejects calls after close with StoreUnavailableError', async () => {
        await store.close()
        closed = true
        await assert.rejects(store.charge(charge('a', [minute(10)])), StoreUnavailableError)
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
        assert.strictEqual((await billing.tryTrackClientUsage('m', 3)).allowed, true)
        clock.set('2025-02-27T23:59:59Z')
        assert.strictEqual((await billing.tryTrackClientUsage('m', 1)).allowed, false)
        clock.set('2025-02-28T00:00:00Z')
        const feb = await billing.tryTrackClientUsage('m', 2)
        assert.strictEqual(feb.allowed, true)
        assert.strictEqual(feb.windows[0]?.start.toISOString(), '2025-02-28T00:00:00.000Z')
        assert.strictEqual(feb.windows[0]?.resetAt.toISOString(), '2025-03-31T00:00:00.000Z')
        clock.set('2025-03-31T00:00:00Z')
        assert.strictEqual((await billing.getQuotaStatus('m')).windows[0]?.used, 0)
      })

      it('renews a Feb 29 yearly window on Feb 28 in common years', async () => {
        const { clock, billing } = engine('2025-02-27T12:00:00Z')
        await billing.updateClientQuotas('y', [
          { duration: QuotaDuration.YEAR, creditLimit: 1, startDate: new Date('2024-02-29T00:00:00Z') },
        ])
        await billing.trackClientUsage('y')
        clock.set('2025-02-28T00:00:00Z')
        assert.strictEqual((await billing.tryTrackClientUsage('y')).allowed, true)
      })

      it('counts a 23-hour DST day in America/New_York as one window', async () => {
        const { clock, billing } = engine('2026-03-08T05:00:00Z')
        await billing.updateClientQuotas('ny', [
          { duration: QuotaDuration.DAY, creditLimit: 2, timeZone: 'America/New_York' },
        ])
        const first = await billing.trackClientUsage('ny')
        assert.strictEqual(first.windows[0]?.start.toISOString(), '2026-03-08T05:00:00.000Z')
        assert.strictEqual(first.windows[0]?.resetAt.toISOString(), '2026-03-09T04:00:00.000Z')
        clock.set('2026-03-09T03:59:59Z')
        await billing.trackClientUsage('ny')
        assert.strictEqual((await billing.tryTrackClientUsage('ny')).allowed, false)
        clock.set('2026-03-09T04:00:00Z')
        assert.strictEqual((await billing.tryTrackClientUsage('ny')).allowed, true)
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
        assert.deepStrictEqual(daily, [
          { date: '2026-05-01', credits: 2 },
          { date: '2026-05-02', credits: 12 },
          { date: '2026-05-03', credits: 0 },
        ])
        assert.strictEqual(await billing.getTotalUsage('np'), 14)
      })

      it('refunds a decision once through the engine', async () => {
        const { billing } = engine('2026-05-01T10:00:00Z')
        await billing.updateClientQuotas('r', [{ duration: QuotaDuration.HOUR, creditLimit: 10 }])
        const decision = await billing.trackClientUsage('r', 4)
        assert.strictEqual(await billing.refund(decision), true)
        assert.strictEqual(await billing.refund(decision), false)
        assert.strictEqual((await billing.getQuotaStatus('r')).windows[0]?.used, 0)
        assert.strictEqual(await billing.getTotalUsage('r'), 0)
      })
    })
  })
}
