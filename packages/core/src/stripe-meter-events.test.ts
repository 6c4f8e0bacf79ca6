import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import { CreditScale } from './credit-scale.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import { type StripeMeterEvent, stripeMeterEvents } from './stripe-meter-events.js'
import { ManualClock } from './testing/manual-clock.js'
import { exportUsage, type UsageRow } from './usage-export.js'

const HOUR = 3_600_000

function row(clientId: string, startIso: string, credits: number, overage = 0, hours = 24): UsageRow {
  const start = new Date(startIso)
  return {
    clientId,
    start,
    end: new Date(start.getTime() + hours * HOUR),
    credits,
    fromBalance: 0,
    overage,
  }
}

async function collect(events: AsyncIterable<StripeMeterEvent>): Promise<StripeMeterEvent[]> {
  const all: StripeMeterEvent[] = []
  for await (const event of events) all.push(event)
  return all
}

const customers: Record<string, string> = { a: 'cus_A', b: 'cus_B' }
const base = { eventName: 'api_credits', customerId: (id: string) => customers[id] }

describe('stripeMeterEvents', () => {
  it("builds Stripe's meter event body: event name, start in seconds, customer and whole value as a string", async () => {
    const events = await collect(stripeMeterEvents([row('a', '2026-03-01T00:00:00Z', 42)], base))
    expect(events).toEqual([
      {
        event_name: 'api_credits',
        identifier: expect.stringMatching(/^usage_[0-9a-f]{64}$/),
        timestamp: Date.UTC(2026, 2, 1) / 1000,
        payload: { stripe_customer_id: 'cus_A', value: '42' },
      },
    ])
  })

  it('gives the same identifiers on two exports of the same period, and a distinct one per client, period and meter', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z')
    const store = new MemoryUsageStore()
    const billing = new ApiBilling({ store, clock: clock.now })
    for (const clientId of ['a', 'b'])
      await billing.updateClientQuotas(clientId, [{ duration: 'day', creditLimit: 999 }])
    for (let h = 0; h < 72; h += 5) {
      clock.set(new Date(Date.UTC(2026, 2, 1) + h * HOUR))
      await billing.trackClientUsage('a', 2)
      await billing.trackClientUsage('b', 3)
    }
    const range = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-04T00:00:00Z') }
    const run = (granularity: 'hour' | 'day', eventName = 'api_credits') =>
      collect(
        stripeMeterEvents(exportUsage(store, new CreditScale(1), { ...range, granularity }), {
          ...base,
          eventName,
        }),
      )
    const first = await run('day')
    expect(first).toHaveLength(6)
    expect(await run('day')).toEqual(first)
    const ids = [...first, ...(await run('hour')), ...(await run('day', 'other_meter'))].map(
      (e) => e.identifier,
    )
    expect(new Set(ids).size).toBe(ids.length)
    expect(first.map((e) => [e.payload.stripe_customer_id, e.payload.value])).toEqual([
      ['cus_A', '10'],
      ['cus_A', '10'],
      ['cus_A', '10'],
      ['cus_B', '15'],
      ['cus_B', '15'],
      ['cus_B', '15'],
    ])
  })

  it('keeps identifiers within 100 characters for long client ids and event names', async () => {
    const long = 'k'.repeat(500)
    const events = await collect(
      stripeMeterEvents([row(long, '2026-03-01T00:00:00Z', 1)], {
        eventName: 'e'.repeat(100),
        customerId: () => 'cus_L',
      }),
    )
    expect(events[0]?.identifier.length).toBeLessThanOrEqual(100)
  })

  it('meters overage when asked, and skips zero values and clients without a Stripe customer', async () => {
    const rows = [
      row('a', '2026-03-01T00:00:00Z', 10, 4),
      row('a', '2026-03-02T00:00:00Z', 10, 0),
      row('nobody', '2026-03-01T00:00:00Z', 10, 10),
    ]
    const events = await collect(stripeMeterEvents(rows, { ...base, value: 'overage' }))
    expect(events.map((e) => [e.payload.stripe_customer_id, e.payload.value])).toEqual([['cus_A', '4']])
  })

  it('refuses fractional values instead of rounding them, and scales them by valueMultiplier', async () => {
    const rows = [row('a', '2026-03-01T00:00:00Z', 0.125)]
    await expect(collect(stripeMeterEvents(rows, base))).rejects.toThrow(InvalidArgumentError)
    const events = await collect(stripeMeterEvents(rows, { ...base, valueMultiplier: 1000 }))
    expect(events[0]?.payload.value).toBe('125')
  })

  it('rejects bad options at the call, and a customer id that is not a string while iterating', async () => {
    const rows = [row('a', '2026-03-01T00:00:00Z', 1)]
    expect(() => stripeMeterEvents(rows, { ...base, eventName: '' })).toThrow(InvalidArgumentError)
    expect(() => stripeMeterEvents(rows, { ...base, eventName: 'x'.repeat(101) })).toThrow(
      InvalidArgumentError,
    )
    expect(() => stripeMeterEvents(rows, { ...base, value: 'fromBalance' as 'credits' })).toThrow(
      InvalidArgumentError,
    )
    expect(() => stripeMeterEvents(rows, { ...base, valueMultiplier: 0 })).toThrow(InvalidArgumentError)
    await expect(collect(stripeMeterEvents(rows, { ...base, customerId: () => '' }))).rejects.toThrow(
      InvalidArgumentError,
    )
  })
})
