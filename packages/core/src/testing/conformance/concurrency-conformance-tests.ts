import assert from 'node:assert/strict'
import { UNLIMITED } from '../../unlimited.js'
import { charge, day, ledgerTotal, minute } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** Racing charges grant exactly the limit and stay all-or-nothing. */
export function concurrencyConformanceTests({ describe, it, concurrency }: ConformanceTestContext): void {
  describe('concurrency', () => {
    it(`grants exactly the limit when ${concurrency} charges race for one window`, async (store) => {
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

    it('keeps all-or-nothing when racing charges are stopped by different windows', async (store) => {
      const windows = [minute(30), day(45)]
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => store.charge(charge('mixed', windows, (i % 3) + 1))),
      )
      const [used] = await store.status('mixed', windows)
      assert.ok(used !== undefined && used <= 30, `used ${used} is over the limit 30`)
      assert.deepStrictEqual(await store.status('mixed', windows), [used, used])
      assert.strictEqual(await ledgerTotal(store, 'mixed'), used)
      const grantedCost = results.map((r, i) => (r.allowed ? (i % 3) + 1 : 0)).reduce((sum, c) => sum + c, 0)
      assert.strictEqual(grantedCost, used)
    })
  })
}
