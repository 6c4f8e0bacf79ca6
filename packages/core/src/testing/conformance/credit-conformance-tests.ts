import assert from 'node:assert/strict'
import { UNLIMITED } from '../../unlimited.js'
import {
  billed,
  charge,
  DAY,
  grant,
  HOUR,
  ledgerSums,
  minute,
  prepaid,
  refundOf,
  remainingByGrant,
  T0,
} from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** Grants and overflow windows: spending order, validity instants, idempotent grants, voids, refunds, overage. */
export function creditConformanceTests({ describe, it, concurrency }: ConformanceTestContext): void {
  describe('credits', () => {
    it('stores a grant and lists live grants in spending order: earliest expiry, then oldest, then id', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('never', 5, { grantedAt: T0 - 3 * DAY }) })
      await store.grantCredits({ clientId: 'a', grant: grant('late', 5, { expiresAt: T0 + 2 * DAY }) })
      await store.grantCredits({ clientId: 'a', grant: grant('soon-new', 5, { expiresAt: T0 + DAY }) })
      await store.grantCredits({
        clientId: 'a',
        grant: grant('soon-old', 5, { expiresAt: T0 + DAY, grantedAt: T0 - 2 * DAY, note: 'welcome' }),
      })
      await store.grantCredits({ clientId: 'b', grant: grant('other', 5) })
      const grants = await store.listGrants('a', T0)
      assert.deepStrictEqual(
        grants.map((g) => g.id),
        ['soon-old', 'soon-new', 'late', 'never'],
      )
      assert.deepStrictEqual(
        grants[0],
        grant('soon-old', 5, { expiresAt: T0 + DAY, grantedAt: T0 - 2 * DAY, note: 'welcome' }),
      )
    })

    it('spends the excess over the window limit from several grants in spending order', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g1', 3, { expiresAt: T0 + HOUR }) })
      await store.grantCredits({ clientId: 'a', grant: grant('g2', 4, { expiresAt: T0 + DAY }) })
      await store.grantCredits({ clientId: 'a', grant: grant('g3', 10) })
      assert.deepStrictEqual(await store.charge(charge('a', [prepaid(10)], 8)), {
        allowed: true,
        used: [8],
        replayed: false,
        credit: { fromBalance: 0, overage: 0, balance: 17, spent: [], rejectedBy: undefined },
      })
      const result = await store.charge(charge('a', [prepaid(10)], 7))
      assert.deepStrictEqual(result.credit, {
        fromBalance: 5,
        overage: 0,
        balance: 12,
        spent: [
          { grantId: 'g1', credits: 3 },
          { grantId: 'g2', credits: 2 },
        ],
        rejectedBy: undefined,
      })
      assert.deepStrictEqual(result.used, [15])
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [
        ['g2', 2],
        ['g3', 10],
      ])
      assert.deepStrictEqual(await ledgerSums(store, 'a'), { credits: 15, fromBalance: 5, overage: 0 })
    })

    it('rejects a charge the balance cannot cover and changes no window, grant or ledger', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g', 5) })
      await store.charge(charge('a', [minute(UNLIMITED), prepaid(2)], 2))
      const result = await store.charge(charge('a', [minute(UNLIMITED), prepaid(2)], 6))
      assert.deepStrictEqual(result, {
        allowed: false,
        used: [2, 2],
        replayed: false,
        credit: { fromBalance: 0, overage: 0, balance: 5, spent: [], rejectedBy: 'balance' },
      })
      assert.deepStrictEqual(await store.status('a', [minute(UNLIMITED), prepaid(2)]), [2, 2])
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [['g', 5]])
      assert.deepStrictEqual(await ledgerSums(store, 'a'), { credits: 2, fromBalance: 0, overage: 0 })
    })

    it('rejects by quota when a window without overflow is full, spending no grant', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g', 50) })
      await store.charge(charge('a', [minute(3), prepaid(0)], 3))
      const result = await store.charge(charge('a', [minute(3), prepaid(0)], 1))
      assert.strictEqual(result.allowed, false)
      assert.strictEqual(result.credit?.rejectedBy, 'quota')
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [['g', 47]])
    })

    it('spends a grant from its effectiveAt on and not at or after its expiresAt', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('later', 5, { effectiveAt: T0 + HOUR }) })
      await store.grantCredits({ clientId: 'a', grant: grant('ending', 5, { expiresAt: T0 + 2 * HOUR }) })
      const at = (ms: number) => charge('a', [prepaid(0)], 1, { at: ms })
      assert.deepStrictEqual((await store.charge(at(T0 + HOUR - 1))).credit?.spent, [
        { grantId: 'ending', credits: 1 },
      ])
      assert.strictEqual((await store.charge(at(T0 + HOUR - 1))).credit?.balance, 3)
      assert.strictEqual((await store.charge(at(T0 + HOUR))).credit?.balance, 7)
      const expired = await store.charge(at(T0 + 2 * HOUR))
      assert.deepStrictEqual(expired.credit?.spent, [{ grantId: 'later', credits: 1 }])
      assert.strictEqual(expired.credit?.balance, 4)
      assert.deepStrictEqual(await remainingByGrant(store, 'a', T0 + 2 * HOUR - 1), [
        ['ending', 2],
        ['later', 4],
      ])
      assert.deepStrictEqual(await remainingByGrant(store, 'a', T0 + 2 * HOUR), [['later', 4]])
    })

    it('lists a pending grant (effectiveAt later) but does not spend it', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('pending', 5, { effectiveAt: T0 + DAY }) })
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [['pending', 5]])
      const result = await store.charge(charge('a', [prepaid(0)], 1))
      assert.deepStrictEqual(result.credit, {
        fromBalance: 0,
        overage: 0,
        balance: 0,
        spent: [],
        rejectedBy: 'balance',
      })
    })

    it('makes a grant once per idempotency key and client', async (store) => {
      const first = await store.grantCredits({ clientId: 'a', grant: grant('g1', 5), idempotencyKey: 'k' })
      const again = await store.grantCredits({ clientId: 'a', grant: grant('g2', 9), idempotencyKey: 'k' })
      await store.grantCredits({ clientId: 'b', grant: grant('g3', 9), idempotencyKey: 'k' })
      assert.deepStrictEqual(again, first)
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [['g1', 5]])
      assert.deepStrictEqual(await remainingByGrant(store, 'b'), [['g3', 9]])
    })

    it('makes one grant when the same idempotent grant races', async (store) => {
      const grants = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.grantCredits({ clientId: 'a', grant: grant(`g${i}`, 5), idempotencyKey: 'k' }),
        ),
      )
      assert.strictEqual(new Set(grants.map((g) => g.id)).size, 1)
      assert.strictEqual((await store.listGrants('a', T0)).length, 1)
    })

    it('voids a grant once: its rest is gone and it is spent no more', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g1', 5, { expiresAt: T0 + HOUR }) })
      await store.grantCredits({ clientId: 'a', grant: grant('g2', 5) })
      await store.charge(charge('a', [prepaid(0)], 2))
      assert.strictEqual(await store.voidGrant('a', 'g1'), true)
      assert.strictEqual(await store.voidGrant('a', 'g1'), false)
      assert.strictEqual(await store.voidGrant('a', 'missing'), false)
      assert.strictEqual(await store.voidGrant('b', 'g2'), false)
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [['g2', 5]])
      assert.deepStrictEqual((await store.charge(charge('a', [prepaid(0)], 1))).credit?.spent, [
        { grantId: 'g2', credits: 1 },
      ])
    })

    it('refunds to the grants a charge spent, never above their credits, not to voided or expired ones', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g1', 3, { expiresAt: T0 + HOUR }) })
      await store.grantCredits({ clientId: 'a', grant: grant('g2', 3, { expiresAt: T0 + DAY }) })
      await store.grantCredits({ clientId: 'a', grant: grant('g3', 3) })
      const spent = (await store.charge(charge('a', [prepaid(0)], 8))).credit?.spent ?? []
      assert.deepStrictEqual(spent, [
        { grantId: 'g1', credits: 3 },
        { grantId: 'g2', credits: 3 },
        { grantId: 'g3', credits: 2 },
      ])
      await store.voidGrant('a', 'g2')
      const restore = [...spent, { grantId: 'g3', credits: 5 }]
      assert.strictEqual(
        await store.refund(refundOf('a', [prepaid(0)], 8, 'r', { restore, now: T0 + HOUR })),
        true,
      )
      assert.deepStrictEqual(await remainingByGrant(store, 'a', T0), [['g3', 3]])
      assert.deepStrictEqual(await store.status('a', [prepaid(0)]), [0])
      assert.deepStrictEqual(await ledgerSums(store, 'a'), { credits: 0, fromBalance: 0, overage: 0 })
    })

    it('restores grants once per refund key', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g', 10) })
      await store.charge(charge('a', [prepaid(0)], 4))
      const refund = refundOf('a', [prepaid(0)], 4, 'r', { restore: [{ grantId: 'g', credits: 4 }] })
      await store.charge(charge('a', [prepaid(0)], 4))
      assert.strictEqual(await store.refund(refund), true)
      assert.strictEqual(await store.refund(refund), false)
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [['g', 6]])
      assert.deepStrictEqual(await ledgerSums(store, 'a'), { credits: 4, fromBalance: 4, overage: 0 })
    })

    it("bills the excess of a 'bill' window up to its overage limit and not past it", async (store) => {
      const windows = [minute(UNLIMITED), billed(10, 5)]
      assert.deepStrictEqual((await store.charge(charge('a', windows, 8))).credit, {
        fromBalance: 0,
        overage: 0,
        balance: undefined,
        spent: [],
        rejectedBy: undefined,
      })
      const over = await store.charge(charge('a', windows, 7))
      assert.deepStrictEqual([over.allowed, over.used, over.credit?.overage], [true, [15, 15], 5])
      const past = await store.charge(charge('a', windows, 1))
      assert.deepStrictEqual([past.allowed, past.used, past.credit?.rejectedBy], [false, [15, 15], 'quota'])
      assert.deepStrictEqual(await ledgerSums(store, 'a'), { credits: 15, fromBalance: 0, overage: 5 })
      await store.refund(refundOf('a', windows, 3, 'r', { overage: 3 }))
      assert.deepStrictEqual(await ledgerSums(store, 'a'), { credits: 12, fromBalance: 0, overage: 2 })
    })

    it('counts the largest excess of several overflow windows, and the full cost in every window', async (store) => {
      const windows = [
        { ...billed(8), duration: 'day' as const, start: T0 - 12 * HOUR, end: T0 + 12 * HOUR },
        billed(5),
      ]
      await store.charge(charge('a', windows.slice(0, 1), 4))
      const result = await store.charge(charge('a', windows, 6))
      assert.deepStrictEqual([result.used, result.credit?.overage], [[10, 6], 2])
      assert.deepStrictEqual((await store.charge(charge('a', windows, 3))).credit?.overage, 3)
    })

    it('replays an idempotent credit charge with its first outcome and spends once', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g', 10) })
      const keyed = charge('a', [prepaid(1)], 4, { idempotency: { key: 'k', expiresAt: T0 + HOUR } })
      const first = await store.charge(keyed)
      const again = await store.charge(keyed)
      assert.deepStrictEqual(again, { ...first, replayed: true })
      assert.deepStrictEqual(first.credit?.spent, [{ grantId: 'g', credits: 3 }])
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [['g', 7]])
    })

    it(`spends exactly the balance when ${concurrency} charges race for it`, async (store) => {
      const balance = Math.floor(concurrency / 2)
      await store.grantCredits({ clientId: 'a', grant: grant('g1', balance - 7, { expiresAt: T0 + DAY }) })
      await store.grantCredits({ clientId: 'a', grant: grant('g2', 7) })
      const results = await Promise.all(
        Array.from({ length: concurrency }, () => store.charge(charge('a', [prepaid(0)], 1))),
      )
      const granted = results.filter((r) => r.allowed)
      assert.strictEqual(granted.length, balance)
      assert.strictEqual(new Set(granted.map((r) => r.credit?.balance)).size, balance)
      assert.deepStrictEqual(await store.listGrants('a', T0), [])
      assert.deepStrictEqual(await ledgerSums(store, 'a'), {
        credits: balance,
        fromBalance: balance,
        overage: 0,
      })
    })

    it('keeps grants when usage is deleted and drops those expired before a purge', async (store) => {
      await store.grantCredits({ clientId: 'a', grant: grant('ends', 5, { expiresAt: T0 + HOUR }) })
      await store.grantCredits({ clientId: 'a', grant: grant('stays', 5) })
      await store.charge(charge('a', [prepaid(0)], 1))
      await store.deleteUsage({ clientId: 'a' })
      assert.deepStrictEqual(await remainingByGrant(store, 'a'), [
        ['ends', 4],
        ['stays', 5],
      ])
      await store.purge({ before: T0 + HOUR, now: T0 + HOUR })
      assert.deepStrictEqual(await remainingByGrant(store, 'a', T0), [['stays', 5]])
    })

    it('keeps grants across close and reopen (where it persists)', async (store, lifecycle) => {
      await store.grantCredits({ clientId: 'a', grant: grant('g', 5, { note: 'n' }), idempotencyKey: 'k' })
      await store.charge(charge('a', [prepaid(0)], 2))
      const reopened = await lifecycle.reopen()
      if (reopened === undefined) return
      assert.deepStrictEqual(await reopened.listGrants('a', T0), [
        { ...grant('g', 5, { note: 'n' }), remaining: 3 },
      ])
      assert.strictEqual(
        (await reopened.grantCredits({ clientId: 'a', grant: grant('g2', 5), idempotencyKey: 'k' })).id,
        'g',
      )
    })
  })
}
