import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import { CreditScale } from './credit-scale.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { StoreUnavailableError } from './errors/store-unavailable-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import { ManualClock } from './testing/manual-clock.js'
import { UNLIMITED } from './unlimited.js'
import { exportUsage, type UsageExportOptions, type UsageRow } from './usage-export.js'
import type { ScannedBucket, UsageScan } from './usage-scan.js'

const SCALE = new CreditScale(1000)
const HOUR = 3_600_000
const KATHMANDU = 'Asia/Kathmandu'
/** Kathmandu midnight of 2026-03-02 (+05:45). */
const FROM = new Date('2026-03-01T18:15:00Z')
/** Four Kathmandu days later. */
const TO = new Date('2026-03-05T18:15:00Z')

/** A memory store that remembers the pages it was asked for. */
class CountingStore extends MemoryUsageStore {
  readonly scans: UsageScan[] = []
  override async scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]> {
    this.scans.push(scan)
    return super.scanUsage(scan)
  }
}

/**
 * Three clients charged fractional credits (creditScale 1000) every 35 to 95 minutes over five days:
 * `alice` past a billed monthly limit (overage), `bob` unlimited, `carol` from a prepaid balance.
 */
async function seeded() {
  const clock = new ManualClock('2026-03-01T00:00:00Z')
  const store = new CountingStore()
  const billing = new ApiBilling({ store, clock: clock.now, creditScale: SCALE.factor })
  await billing.updateClientQuotas('alice', [{ duration: 'month', creditLimit: 40, overflow: 'bill' }])
  await billing.updateClientQuotas('bob', [{ duration: 'month', creditLimit: UNLIMITED }])
  await billing.updateClientQuotas('carol', [{ duration: 'month', creditLimit: 30, overflow: 'balance' }])
  await billing.grantCredits('carol', 1_000)
  let at = clock.now().getTime()
  for (let i = 0; at < Date.UTC(2026, 2, 6); i++) {
    for (const [n, clientId] of ['alice', 'bob', 'carol'].entries()) {
      if ((i + n) % 4 === 3) continue
      await billing.trackClientUsage(clientId, ((i * 7 + n * 3) % 11) / 8 + 0.125)
    }
    at += (35 + ((i * 13) % 61)) * 60_000
    clock.set(new Date(at))
  }
  return { store, billing }
}

async function collect(rows: AsyncIterable<UsageRow>): Promise<UsageRow[]> {
  const all: UsageRow[] = []
  for await (const row of rows) all.push(row)
  return all
}

const exported = (store: MemoryUsageStore, options: Partial<UsageExportOptions>) =>
  collect(exportUsage(store, SCALE, { from: FROM, to: TO, timeZone: KATHMANDU, ...options }))

const sum = (rows: readonly UsageRow[], field: 'credits' | 'fromBalance' | 'overage') =>
  Math.round(rows.reduce((total, r) => total + r[field], 0) * SCALE.factor) / SCALE.factor

describe('exportUsage', () => {
  it("gives one row per client and Kathmandu day, equal to that day's getDailyUsage", async () => {
    const { store, billing } = await seeded()
    const rows = await exported(store, { granularity: 'day', pageSize: 7 })
    expect([...new Set(rows.map((r) => r.clientId))]).toEqual(['alice', 'bob', 'carol'])
    for (const clientId of ['alice', 'bob', 'carol']) {
      const daily = await billing.getDailyUsage(clientId, FROM, TO, { timeZone: KATHMANDU })
      const mine = rows.filter((r) => r.clientId === clientId)
      expect(mine.map((r) => [r.start.toISOString(), r.credits, r.fromBalance, r.overage])).toEqual(
        daily
          .filter((d) => d.credits !== 0)
          .map((d) => [
            new Date(`${d.date}T00:00:00+05:45`).toISOString(),
            d.credits,
            d.fromBalance,
            d.overage,
          ]),
      )
      for (const r of mine) expect(r.end.getTime() - r.start.getTime()).toBe(24 * HOUR)
    }
  })

  it('gives one row per client and Kathmandu hour (:15 past in UTC), exact against getUsageSummary', async () => {
    const { store, billing } = await seeded()
    const rows = await exported(store, { granularity: 'hour', pageSize: 3 })
    for (const r of rows) {
      expect(r.start.getUTCMinutes()).toBe(15)
      expect(r.end.getTime() - r.start.getTime()).toBe(HOUR)
      expect(r.credits).toBeGreaterThan(0)
    }
    for (const clientId of ['alice', 'bob', 'carol']) {
      const mine = rows.filter((r) => r.clientId === clientId)
      const summary = await billing.getUsageSummary(clientId, FROM, TO)
      expect([sum(mine, 'credits'), sum(mine, 'fromBalance'), sum(mine, 'overage')]).toEqual([
        summary.credits,
        summary.fromBalance,
        summary.overage,
      ])
      expect(summary.credits).toBeGreaterThan(0)
      const first = mine[0] as UsageRow
      expect(first.credits).toBe(await billing.getTotalUsage(clientId, first.start, first.end))
    }
    expect(sum(rows, 'overage')).toBeGreaterThan(0)
    expect(sum(rows, 'fromBalance')).toBeGreaterThan(0)
  })

  it('gives the same rows, in (client, start) order, whatever the page size: a period split by a page is one row', async () => {
    const { store } = await seeded()
    for (const granularity of ['hour', 'day'] as const) {
      const whole = await exported(store, { granularity, pageSize: 100_000 })
      const key = (r: UsageRow) => `${r.clientId}\u0000${r.start.toISOString()}`
      expect(whole.map(key)).toEqual([...whole.map(key)].sort())
      expect(new Set(whole.map(key)).size).toBe(whole.length)
      for (const pageSize of [1, 2, 5])
        expect(await exported(store, { granularity, pageSize })).toEqual(whole)
    }
  })

  it("exports one client's rows alone, starting at its first bucket and stopping at the next client", async () => {
    const { store } = await seeded()
    const whole = await exported(store, { pageSize: 100_000 })
    for (const clientId of ['alice', 'bob', 'carol', 'aaron', 'zoe']) {
      for (const pageSize of [1, 3, 1000]) {
        store.scans.length = 0
        expect(await exported(store, { clientId, pageSize })).toEqual(
          whole.filter((r) => r.clientId === clientId),
        )
        expect(store.scans[0]?.after).toEqual({ clientId, start: Date.parse('2026-03-01T18:15:00Z') - 1 })
      }
    }
    expect(() => exportUsage(store, SCALE, { from: FROM, to: TO, clientId: '' })).toThrow(
      InvalidArgumentError,
    )
  })

  it('reads the store one page at a time, as rows are taken', async () => {
    const { store } = await seeded()
    const rows = exportUsage(store, SCALE, { from: FROM, to: TO, granularity: 'day', pageSize: 2 })
    expect(store.scans).toEqual([])
    const first = await rows.next()
    expect(first.done).toBe(false)
    const pages = store.scans.length
    await collect(rows)
    expect(pages).toBeLessThan(store.scans.length / 4)
    expect(store.scans.every((s) => s.limit === 2)).toBe(true)
  })

  it('rounds from and to up to 15-minute buckets and clips the first and last rows to them', async () => {
    const { store, billing } = await seeded()
    const from = new Date('2026-03-02T10:07:00Z')
    const to = new Date('2026-03-02T20:50:00Z')
    const rows = await collect(
      exportUsage(store, SCALE, { from, to, granularity: 'day', timeZone: KATHMANDU }),
    )
    const alice = rows.filter((r) => r.clientId === 'alice')
    expect(alice.map((r) => [r.start.toISOString(), r.end.toISOString()])).toEqual([
      ['2026-03-02T10:15:00.000Z', '2026-03-02T18:15:00.000Z'],
      ['2026-03-02T18:15:00.000Z', '2026-03-02T21:00:00.000Z'],
    ])
    const bucketed = await billing.getTotalUsage(
      'alice',
      new Date('2026-03-02T10:15:00Z'),
      new Date('2026-03-02T21:00:00Z'),
    )
    expect(sum(alice, 'credits')).toBe(bucketed)
  })

  it('makes a fall-back hour and its repeat one two-hour row (America/New_York, 2026-11-01)', async () => {
    const clock = new ManualClock('2026-11-01T05:10:00Z')
    const store = new MemoryUsageStore()
    const billing = new ApiBilling({ store, clock: clock.now })
    await billing.updateClientQuotas('c', [{ duration: 'day', creditLimit: UNLIMITED }])
    for (const at of ['04:50', '05:10', '05:50', '06:05', '07:00']) {
      clock.set(`2026-11-01T${at}:00Z`)
      await billing.trackClientUsage('c', 1)
    }
    const rows = await collect(
      exportUsage(store, new CreditScale(1), {
        from: new Date('2026-11-01T04:00:00Z'),
        to: new Date('2026-11-01T08:00:00Z'),
        granularity: 'hour',
        timeZone: 'America/New_York',
      }),
    )
    expect(rows.map((r) => [r.start.toISOString(), r.end.toISOString(), r.credits])).toEqual([
      ['2026-11-01T04:00:00.000Z', '2026-11-01T05:00:00.000Z', 1],
      ['2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z', 3],
      ['2026-11-01T07:00:00.000Z', '2026-11-01T08:00:00.000Z', 1],
    ])
  })

  it('rejects bad options at the call, before reading the store', () => {
    const store = new MemoryUsageStore()
    const bad: Array<[string, Partial<UsageExportOptions>]> = [
      ['options.from', { from: new Date(Number.NaN) }],
      ['options.to', { to: '2026-03-01' as unknown as Date }],
      ['options.to', { to: new Date('2026-01-01T00:00:00Z') }],
      ['options.granularity', { granularity: 'week' as 'day' }],
      ['options.timeZone', { timeZone: 'Mars/Olympus_Mons' }],
      ['options.pageSize', { pageSize: 0 }],
      ['options.pageSize', { pageSize: 1.5 }],
    ]
    for (const [argument, options] of bad) {
      const call = () => exportUsage(store, SCALE, { from: FROM, to: TO, ...options })
      expect(call).toThrow(InvalidArgumentError)
      expect(call).toThrow(expect.objectContaining({ argument }))
    }
  })

  it('gives nothing for an empty range and rejects with StoreUnavailableError when the store fails', async () => {
    const { store } = await seeded()
    expect(await exported(store, { from: FROM, to: FROM })).toEqual([])
    await store.close()
    await expect(exported(store, {})).rejects.toThrow(StoreUnavailableError)
  })
})
