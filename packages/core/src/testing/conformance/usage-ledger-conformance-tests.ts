import assert from 'node:assert/strict'
import { LEDGER_BUCKET_MS } from '../../ledger-bucket.js'
import { UNLIMITED } from '../../unlimited.js'
import { charge, DAY, day, ledgerTotal, MINUTE, minute, T0 } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** The 15-minute usage ledger: aggregation, range reads, no rejected charges. */
export function usageLedgerConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('usage ledger', () => {
    it('aggregates charges into 15-minute buckets ordered by start', async (store) => {
      await store.charge(charge('a', [day(UNLIMITED)], 2, { at: T0 + 20 * MINUTE }))
      await store.charge(charge('a', [day(UNLIMITED)], 1, { at: T0 }))
      await store.charge(charge('a', [day(UNLIMITED)], 4, { at: T0 + 14 * MINUTE }))
      const buckets = await store.readUsage({ clientId: 'a', from: T0 - DAY, to: T0 + DAY })
      assert.deepStrictEqual(buckets, [
        { start: T0, credits: 5, fromBalance: 0, overage: 0 },
        { start: T0 + LEDGER_BUCKET_MS, credits: 2, fromBalance: 0, overage: 0 },
      ])
    })

    it('reads only buckets that start inside [from, to)', async (store) => {
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

    it('does not record rejected charges', async (store) => {
      await store.charge(charge('a', [minute(1)], 1))
      await store.charge(charge('a', [minute(1)], 1))
      assert.strictEqual(await ledgerTotal(store, 'a'), 1)
    })
  })
}
