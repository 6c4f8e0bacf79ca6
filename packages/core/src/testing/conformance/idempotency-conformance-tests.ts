import assert from 'node:assert/strict'
import { charge, HOUR, ledgerTotal, minute, T0 } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** Idempotency keys: replay, races, per-client scope, rejected charges and expiry. */
export function idempotencyConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('idempotency', () => {
    const keyed = (key: string, cost = 1, at = T0) =>
      charge('a', [minute(10)], cost, { at, idempotency: { key, expiresAt: T0 + HOUR } })

    it('charges a repeated key once and replays the first answer', async (store) => {
      const first = await store.charge(keyed('k1', 3))
      await store.charge(charge('a', [minute(10)], 1))
      const again = await store.charge(keyed('k1', 3))
      assert.deepStrictEqual(first, { allowed: true, used: [3], replayed: false })
      assert.deepStrictEqual(again, { allowed: true, used: [3], replayed: true })
      assert.deepStrictEqual(await store.status('a', [minute(10)]), [4])
      assert.strictEqual(await ledgerTotal(store, 'a'), 4)
    })

    it('charges a key once when the same request races with itself', async (store) => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.charge(keyed('race', 2))))
      assert.strictEqual(results.filter((r) => !r.replayed).length, 1)
      assert.ok(results.every((r) => r.allowed && r.used[0] === 2))
      assert.deepStrictEqual(await store.status('a', [minute(10)]), [2])
    })

    it('scopes keys per client', async (store) => {
      await store.charge(keyed('shared', 1))
      const other = await store.charge({ ...keyed('shared', 1), clientId: 'b' })
      assert.strictEqual(other.replayed, false)
      assert.deepStrictEqual(await store.status('b', [minute(10)]), [1])
    })

    it('does not remember a rejected charge, so the key can succeed later', async (store) => {
      assert.strictEqual((await store.charge(keyed('big', 11))).allowed, false)
      assert.deepStrictEqual(await store.charge(keyed('big', 4)), {
        allowed: true,
        used: [4],
        replayed: false,
      })
    })

    it('forgets a key once it has expired', async (store) => {
      await store.charge(keyed('old', 1))
      const later = await store.charge(keyed('old', 1, T0 + HOUR))
      assert.strictEqual(later.replayed, false)
      assert.deepStrictEqual(await store.status('a', [minute(10)]), [2])
    })
  })
}
