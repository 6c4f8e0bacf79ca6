import assert from 'node:assert/strict'
import { charge, MINUTE, minute, T0 } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** A new window starts at 0, and a lagging instance never resets a newer window. */
export function windowConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('windows', () => {
    it('starts a new window at 0 and leaves the previous one as it was', async (store) => {
      await store.charge(charge('a', [minute(5)], 5))
      const next = minute(5, T0 + MINUTE)
      assert.deepStrictEqual(await store.charge(charge('a', [next], 2, { at: T0 + MINUTE })), {
        allowed: true,
        used: [2],
        replayed: false,
      })
      assert.deepStrictEqual(await store.status('a', [minute(5)]), [5])
    })

    it('never resets a newer window when a lagging instance charges an older one', async (store) => {
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
}
