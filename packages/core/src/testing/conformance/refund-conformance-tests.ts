import assert from 'node:assert/strict'
import type { UsageStore } from '../../usage-store.js'
import { charge, DAY, day, HOUR, ledgerTotal, minute, T0 } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** Refunds: once per key, never below zero, forgetting the charge's idempotency key, making room. */
export function refundConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('refunds', () => {
    const refund = (store: UsageStore, credits: number, key = 'r1', windows = [minute(10), day(100)]) =>
      store.refund({
        clientId: 'a',
        windows,
        credits,
        at: T0,
        refundKey: key,
        refundKeyExpiresAt: T0 + DAY,
        now: T0,
      })

    it('gives credits back to every window and to the ledger', async (store) => {
      await store.charge(charge('a', [minute(10), day(100)], 6))
      assert.strictEqual(await refund(store, 4), true)
      assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [2, 2])
      assert.strictEqual(await ledgerTotal(store, 'a'), 2)
    })

    it('applies a refund key once, also when refunds race', async (store) => {
      await store.charge(charge('a', [minute(10), day(100)], 6))
      const results = await Promise.all(Array.from({ length: 10 }, () => refund(store, 2, 'same')))
      assert.strictEqual(results.filter(Boolean).length, 1)
      assert.strictEqual(await refund(store, 2, 'same'), false)
      assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [4, 4])
    })

    it('never goes below zero', async (store) => {
      await store.charge(charge('a', [minute(10), day(100)], 2))
      await refund(store, 5)
      assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [0, 0])
      assert.strictEqual(await ledgerTotal(store, 'a'), 0)
    })

    it('forgets the idempotency key of the refunded charge, so a retry is charged again', async (store) => {
      const keyed = charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } })
      await store.charge(keyed)
      await store.refund({
        clientId: 'a',
        windows: [minute(10)],
        credits: 3,
        at: T0,
        refundKey: 'r',
        refundKeyExpiresAt: T0 + DAY,
        now: T0,
        idempotencyKey: 'k',
      })
      assert.deepStrictEqual(await store.charge(keyed), { allowed: true, used: [3], replayed: false })
    })

    it('makes room for new charges', async (store) => {
      await store.charge(charge('a', [minute(10)], 10))
      await refund(store, 3, 'r', [minute(10)])
      assert.strictEqual((await store.charge(charge('a', [minute(10)], 3))).allowed, true)
      assert.strictEqual((await store.charge(charge('a', [minute(10)], 1))).allowed, false)
    })
  })
}
