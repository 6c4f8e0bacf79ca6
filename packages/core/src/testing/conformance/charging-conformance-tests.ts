import assert from 'node:assert/strict'
import { UNLIMITED } from '../../unlimited.js'
import { charge, day, ledgerTotal, minute } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** All-or-nothing charging, limits, unlimited and zero-limit windows, clients and large numbers. */
export function chargingConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('charging', () => {
    it('charges every window and answers the new used values in request order', async (store) => {
      const result = await store.charge(charge('a', [minute(10), day(100)], 3))
      assert.deepStrictEqual(result, { allowed: true, used: [3, 3], replayed: false })
      assert.deepStrictEqual(await store.status('a', [minute(10), day(100)]), [3, 3])
    })

    it('reports 0 for windows never charged and changes nothing when reading status', async (store) => {
      assert.deepStrictEqual(await store.status('nobody', [minute(10), day(100)]), [0, 0])
      await store.charge(charge('a', [minute(10)], 2))
      await store.status('a', [minute(10)])
      assert.deepStrictEqual(await store.status('a', [minute(10)]), [2])
    })

    it('allows a cost that exactly uses up the limit and rejects one credit more', async (store) => {
      assert.strictEqual((await store.charge(charge('a', [minute(5)], 5))).allowed, true)
      const rejected = await store.charge(charge('a', [minute(5)], 1))
      assert.deepStrictEqual(rejected, { allowed: false, used: [5], replayed: false })
    })

    it('charges nothing anywhere when one window lacks room (all-or-nothing)', async (store) => {
      await store.charge(charge('a', [minute(10), day(4)], 4))
      const rejected = await store.charge(charge('a', [minute(10), day(4)], 1))
      assert.strictEqual(rejected.allowed, false)
      assert.deepStrictEqual(rejected.used, [4, 4])
      assert.deepStrictEqual(await store.status('a', [minute(10), day(4)]), [4, 4])
      assert.strictEqual(await ledgerTotal(store, 'a'), 4)
    })

    it('rejects a cost larger than the whole limit without charging', async (store) => {
      const rejected = await store.charge(charge('a', [minute(3)], 4))
      assert.deepStrictEqual(rejected, { allowed: false, used: [0], replayed: false })
      assert.strictEqual(await ledgerTotal(store, 'a'), 0)
    })

    it('counts an unlimited window but never rejects because of it', async (store) => {
      await store.charge(charge('a', [minute(UNLIMITED)], 1_000_000))
      const result = await store.charge(charge('a', [minute(UNLIMITED), day(UNLIMITED)], 5))
      assert.deepStrictEqual(result, { allowed: true, used: [1_000_005, 5], replayed: false })
    })

    it('rejects any positive cost in a zero-limit window and allows a zero cost', async (store) => {
      assert.strictEqual((await store.charge(charge('a', [minute(0)], 1))).allowed, false)
      assert.deepStrictEqual(await store.charge(charge('a', [minute(0)], 0)), {
        allowed: true,
        used: [0],
        replayed: false,
      })
    })

    it('keeps clients apart', async (store) => {
      await store.charge(charge('a', [minute(10)], 7))
      await store.charge(charge('b', [minute(10)], 2))
      assert.deepStrictEqual(await store.status('a', [minute(10)]), [7])
      assert.deepStrictEqual(await store.status('b', [minute(10)]), [2])
    })

    it('treats client ids as opaque strings (unicode, separators, quotes)', async (store) => {
      const ids = ['ключ-🙂', 'o\'brien"; DROP TABLE x;--', 'a:b|c\u0000d'.replace('\u0000', '/'), 'A', 'a']
      for (const [i, id] of ids.entries()) await store.charge(charge(id, [minute(100)], i + 1))
      for (const [i, id] of ids.entries())
        assert.deepStrictEqual(await store.status(id, [minute(100)]), [i + 1])
    })

    it('holds large credit numbers exactly', async (store) => {
      const limit = 2 ** 40
      await store.charge(charge('a', [minute(limit)], 2 ** 33))
      const result = await store.charge(charge('a', [minute(limit)], 2 ** 33 + 7))
      assert.deepStrictEqual(result.used, [2 ** 34 + 7])
      assert.strictEqual(await ledgerTotal(store, 'a'), 2 ** 34 + 7)
    })
  })
}
