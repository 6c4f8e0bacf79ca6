import assert from 'node:assert/strict'
import { charge, DAY, HOUR, ledgerTotal, MINUTE, minute, T0 } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** Deleting a client's usage (whole or a range) and purging old data. */
export function deletionConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('deleting and retention', () => {
    it('deletes all of a client’s usage, counters and keys, and no one else’s', async (store) => {
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

    it('deletes only the ledger buckets and counters that start inside a range', async (store) => {
      await store.charge(charge('a', [minute(10)], 1))
      await store.charge(charge('a', [minute(10, T0 + DAY)], 2, { at: T0 + DAY }))
      await store.deleteUsage({ clientId: 'a', from: T0 + DAY, to: T0 + 2 * DAY })
      assert.strictEqual(await ledgerTotal(store, 'a'), 1)
      assert.deepStrictEqual(await store.status('a', [minute(10)]), [1])
      assert.deepStrictEqual(await store.status('a', [minute(10, T0 + DAY)]), [0])
    })

    it('purges old buckets, ended windows and expired keys, keeping the rest', async (store) => {
      const old = T0 - 30 * DAY
      await store.charge(charge('a', [minute(10, old)], 4, { at: old }))
      await store.charge(charge('a', [minute(10)], 2, { idempotency: { key: 'k', expiresAt: T0 + MINUTE } }))
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
}
