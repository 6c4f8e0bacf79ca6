import assert from 'node:assert/strict'
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js'
import { charge, HOUR, ledgerTotal, minute, T0 } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** init again, close and reopen, and use after close. */
export function lifecycleConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('lifecycle', () => {
    it('initialises again without losing data', async (store) => {
      await store.charge(charge('a', [minute(10)], 3))
      await store.init()
      assert.deepStrictEqual(await store.status('a', [minute(10)]), [3])
    })

    it('keeps counters, ledger and keys across close and reopen (where it persists)', async (store, lifecycle) => {
      await store.charge(charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } }))
      const reopened = await lifecycle.reopen()
      if (reopened === undefined) return
      assert.deepStrictEqual(await reopened.status('a', [minute(10)]), [3])
      assert.strictEqual(await ledgerTotal(reopened, 'a'), 3)
      const again = await reopened.charge(
        charge('a', [minute(10)], 3, { idempotency: { key: 'k', expiresAt: T0 + HOUR } }),
      )
      assert.strictEqual(again.replayed, true)
    })

    it('rejects calls after close with StoreUnavailableError', async (store, lifecycle) => {
      await lifecycle.close()
      await assert.rejects(store.charge(charge('a', [minute(10)])), StoreUnavailableError)
    })
  })
}
