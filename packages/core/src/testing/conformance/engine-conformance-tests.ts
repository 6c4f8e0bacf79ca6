import assert from 'node:assert/strict'
import { ApiBilling } from '../../api-billing.js'
import { QuotaDuration } from '../../quota-duration.js'
import { UNLIMITED } from '../../unlimited.js'
import type { UsageStore } from '../../usage-store.js'
import { ManualClock } from '../manual-clock.js'
import type { ConformanceTestContext } from './conformance-test-context.js'

/** The engine on the store with a ManualClock: month ends, leap years, DST, a +05:45 zone, refunds. */
export function engineConformanceTests({ describe, it }: ConformanceTestContext): void {
  describe('through the engine with an injected clock', () => {
    function engine(store: UsageStore, start: string) {
      const clock = new ManualClock(start)
      return { clock, billing: new ApiBilling({ store, clock: clock.now }) }
    }

    it('anchors monthly windows on the 31st and clamps to short months', async (store) => {
      const { clock, billing } = engine(store, '2025-01-31T10:00:00Z')
      await billing.updateClientQuotas('m', [
        { duration: QuotaDuration.MONTH, creditLimit: 3, startDate: new Date('2024-12-31T00:00:00Z') },
      ])
      assert.strictEqual((await billing.tryTrackClientUsage('m', 3)).allowed, true)
      clock.set('2025-02-27T23:59:59Z')
      assert.strictEqual((await billing.tryTrackClientUsage('m', 1)).allowed, false)
      clock.set('2025-02-28T00:00:00Z')
      const feb = await billing.tryTrackClientUsage('m', 2)
      assert.strictEqual(feb.allowed, true)
      assert.strictEqual(feb.windows[0]?.start.toISOString(), '2025-02-28T00:00:00.000Z')
      assert.strictEqual(feb.windows[0]?.resetAt.toISOString(), '2025-03-31T00:00:00.000Z')
      clock.set('2025-03-31T00:00:00Z')
      assert.strictEqual((await billing.getQuotaStatus('m')).windows[0]?.used, 0)
    })

    it('renews a Feb 29 yearly window on Feb 28 in common years', async (store) => {
      const { clock, billing } = engine(store, '2025-02-27T12:00:00Z')
      await billing.updateClientQuotas('y', [
        { duration: QuotaDuration.YEAR, creditLimit: 1, startDate: new Date('2024-02-29T00:00:00Z') },
      ])
      await billing.trackClientUsage('y')
      clock.set('2025-02-28T00:00:00Z')
      assert.strictEqual((await billing.tryTrackClientUsage('y')).allowed, true)
    })

    it('counts a 23-hour DST day in America/New_York as one window', async (store) => {
      const { clock, billing } = engine(store, '2026-03-08T05:00:00Z')
      await billing.updateClientQuotas('ny', [
        { duration: QuotaDuration.DAY, creditLimit: 2, timeZone: 'America/New_York' },
      ])
      const first = await billing.trackClientUsage('ny')
      assert.strictEqual(first.windows[0]?.start.toISOString(), '2026-03-08T05:00:00.000Z')
      assert.strictEqual(first.windows[0]?.resetAt.toISOString(), '2026-03-09T04:00:00.000Z')
      clock.set('2026-03-09T03:59:59Z')
      await billing.trackClientUsage('ny')
      assert.strictEqual((await billing.tryTrackClientUsage('ny')).allowed, false)
      clock.set('2026-03-09T04:00:00Z')
      assert.strictEqual((await billing.tryTrackClientUsage('ny')).allowed, true)
    })

    it('reports daily usage on Asia/Kathmandu days (+05:45)', async (store) => {
      const { clock, billing } = engine(store, '2026-05-01T18:14:00Z')
      await billing.updateClientQuotas('np', [{ duration: QuotaDuration.DAY, creditLimit: UNLIMITED }])
      await billing.trackClientUsage('np', 2) // 23:59 on May 1 in Kathmandu
      clock.set('2026-05-01T18:15:00Z')
      await billing.trackClientUsage('np', 5) // 00:00 on May 2
      clock.set('2026-05-02T18:14:59Z')
      await billing.trackClientUsage('np', 7) // 23:59:59 on May 2
      const daily = await billing.getDailyUsage(
        'np',
        new Date('2026-04-30T18:15:00Z'),
        new Date('2026-05-03T18:15:00Z'),
        {
          timeZone: 'Asia/Kathmandu',
        },
      )
      assert.deepStrictEqual(daily, [
        { date: '2026-05-01', credits: 2, fromBalance: 0, overage: 0 },
        { date: '2026-05-02', credits: 12, fromBalance: 0, overage: 0 },
        { date: '2026-05-03', credits: 0, fromBalance: 0, overage: 0 },
      ])
      assert.strictEqual(await billing.getTotalUsage('np'), 14)
    })

    it('exports every client per Asia/Kathmandu day (+05:45) with credits, balance and overage, paged', async (store) => {
      const { clock, billing } = engine(store, '2026-05-01T18:14:00Z')
      await billing.updateClientQuotas('np-a', [
        { duration: QuotaDuration.MONTH, creditLimit: 3, overflow: 'bill' },
      ])
      await billing.updateClientQuotas('np-b', [
        { duration: QuotaDuration.MONTH, creditLimit: 0, overflow: 'balance' },
      ])
      await billing.grantCredits('np-b', 100)
      await billing.trackClientUsage('np-a', 2) // 23:59 on May 1 in Kathmandu
      await billing.trackClientUsage('np-b', 1)
      clock.set('2026-05-01T18:15:00Z')
      await billing.trackClientUsage('np-a', 5) // 00:00 on May 2: 4 past the limit, billed
      clock.set('2026-05-02T18:14:59Z')
      await billing.trackClientUsage('np-b', 7) // 23:59:59 on May 2
      const rows = []
      const range = { from: new Date('2026-04-30T18:15:00Z'), to: new Date('2026-05-03T18:15:00Z') }
      for await (const row of billing.exportUsage({ ...range, timeZone: 'Asia/Kathmandu', pageSize: 1 })) {
        rows.push([row.clientId, row.start.toISOString(), row.credits, row.fromBalance, row.overage])
      }
      assert.deepStrictEqual(rows, [
        ['np-a', '2026-04-30T18:15:00.000Z', 2, 0, 0],
        ['np-a', '2026-05-01T18:15:00.000Z', 5, 0, 4],
        ['np-b', '2026-04-30T18:15:00.000Z', 1, 1, 0],
        ['np-b', '2026-05-01T18:15:00.000Z', 7, 7, 0],
      ])
    })

    it('refunds a decision once through the engine', async (store) => {
      const { billing } = engine(store, '2026-05-01T10:00:00Z')
      await billing.updateClientQuotas('r', [{ duration: QuotaDuration.HOUR, creditLimit: 10 }])
      const decision = await billing.trackClientUsage('r', 4)
      assert.strictEqual(await billing.refund(decision), true)
      assert.strictEqual(await billing.refund(decision), false)
      assert.strictEqual((await billing.getQuotaStatus('r')).windows[0]?.used, 0)
      assert.strictEqual(await billing.getTotalUsage('r'), 0)
    })
  })
}
