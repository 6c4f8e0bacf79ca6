import assert from 'node:assert/strict'
import { LEDGER_BUCKET_MS } from '../../ledger-bucket.js'
import { UNLIMITED } from '../../unlimited.js'
import type { ScannedBucket } from '../../usage-scan.js'
import type { UsageStore } from '../../usage-store.js'
import { billed, charge, DAY, day, grant, prepaid, refundOf, T0 } from './conformance-fixtures.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

const B = LEDGER_BUCKET_MS

/** Every page of a scan of `[from, to)`, `limit` rows at a time, concatenated. */
async function scanAll(store: UsageStore, from: number, to: number, limit: number): Promise<ScannedBucket[]> {
  const rows: ScannedBucket[] = []
  for (;;) {
    const last = rows[rows.length - 1]
    const page = await store.scanUsage({
      from,
      to,
      limit,
      ...(last === undefined ? {} : { after: { clientId: last.clientId, start: last.start } }),
    })
    assert.ok(page.length <= limit, `a page of ${page.length} rows is over the limit ${limit}`)
    rows.push(...page)
    if (page.length < limit) return rows
  }
}

/** `scanUsage`: every client's buckets in a range, in a stable order, paged without loss or repeats. */
export function usageScanConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('usage scan', () => {
    const fill = async (store: UsageStore) => {
      for (const [clientId, buckets] of [
        ['b', [0, 1, 5]],
        ['a', [2, 0]],
        ['c-long-id', [1]],
        ['A', [3]],
      ] as const) {
        for (const i of buckets)
          await store.charge(charge(clientId, [day(UNLIMITED)], i + 1, { at: T0 + i * B + 1 }))
      }
    }

    it('returns every non-empty bucket of every client in [from, to), ordered by client then start', async (store) => {
      await fill(store)
      await store.charge(charge('z', [day(UNLIMITED)], 1, { at: T0 - B }))
      await store.charge(charge('z', [day(UNLIMITED)], 1, { at: T0 + 6 * B }))
      const rows = await store.scanUsage({ from: T0, to: T0 + 6 * B, limit: 100 })
      const clients = [...new Set(rows.map((r) => r.clientId))]
      assert.deepStrictEqual([...clients].sort(), ['A', 'a', 'b', 'c-long-id'])
      for (let i = 1; i < rows.length; i++) {
        const [p, r] = [rows[i - 1] as ScannedBucket, rows[i] as ScannedBucket]
        if (p.clientId === r.clientId) assert.ok(p.start < r.start, 'buckets of a client are in start order')
        else assert.ok(clients.indexOf(p.clientId) < clients.indexOf(r.clientId), 'a client comes in one run')
      }
      const b = rows.filter((r) => r.clientId === 'b')
      assert.deepStrictEqual(b, [
        { clientId: 'b', start: T0, credits: 1, fromBalance: 0, overage: 0 },
        { clientId: 'b', start: T0 + B, credits: 2, fromBalance: 0, overage: 0 },
        { clientId: 'b', start: T0 + 5 * B, credits: 6, fromBalance: 0, overage: 0 },
      ])
    })

    it('orders client ids byte-wise over UTF-8: A before a, \uFFFF before an emoji', async (store) => {
      const ids = ['🙂', 'b', '\uFFFF', 'a', 'A', 'ab', 'é']
      for (const clientId of ids) await store.charge(charge(clientId, [day(UNLIMITED)], 1))
      const rows = await store.scanUsage({ from: T0 - DAY, to: T0 + DAY, limit: 100 })
      assert.deepStrictEqual(
        rows.map((r) => r.clientId),
        ['A', 'a', 'ab', 'b', 'é', '\uFFFF', '🙂'],
      )
      const afterB = await store.scanUsage({
        from: T0 - DAY,
        to: T0 + DAY,
        limit: 100,
        after: { clientId: 'b', start: T0 },
      })
      assert.deepStrictEqual(
        afterB.map((r) => r.clientId),
        ['é', '\uFFFF', '🙂'],
      )
    })

    it('pages without losing or repeating a row, the same order every time', async (store) => {
      await fill(store)
      const whole = await store.scanUsage({ from: 0, to: T0 + DAY, limit: 1000 })
      assert.strictEqual(whole.length, 7)
      for (const limit of [1, 2, 3]) assert.deepStrictEqual(await scanAll(store, 0, T0 + DAY, limit), whole)
      const last = whole[whole.length - 1] as ScannedBucket
      assert.deepStrictEqual(
        await store.scanUsage({
          from: 0,
          to: T0 + DAY,
          limit: 5,
          after: { clientId: last.clientId, start: last.start },
        }),
        [],
      )
    })

    it('reports fromBalance and overage, and skips buckets refunded to zero', async (store) => {
      await store.grantCredits({ clientId: 'p', grant: grant('g', 10) })
      await store.charge(charge('p', [prepaid(1)], 3))
      await store.charge(charge('o', [billed(1)], 4))
      await store.charge(charge('r', [day(10)], 2))
      await store.refund(refundOf('r', [day(10)], 2, 'r'))
      assert.deepStrictEqual(
        await store
          .scanUsage({ from: T0, to: T0 + B, limit: 10 })
          .then((rows) => [...rows].sort((x, y) => (x.clientId < y.clientId ? -1 : 1))),
        [
          { clientId: 'o', start: T0, credits: 4, fromBalance: 0, overage: 3 },
          { clientId: 'p', start: T0, credits: 3, fromBalance: 2, overage: 0 },
        ],
      )
    })
  })
}
