import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { ApiBilling, MemoryUsageStore, PROBLEM_TYPES, QuotaDuration } from '@x/api-billing-core'
import type { Express, Request } from 'express'
import request from 'supertest'
import { type DailyUsageHandlerOptions, dailyUsageHandler } from './daily-usage-handler.js'
import { type BillingFixture, billingFixture, START } from './test-support/billing-fixture.js'
import { EXPRESS_VERSIONS } from './test-support/express-versions.js'
import { FailingUsageStore } from './test-support/failing-usage-store.js'
import { TEST_CASES } from './test-support/test-cases.js'

const apiKey = (req: Request) => req.get('x-api-key')

/** A row of a plan without overflow windows: nothing from the balance, no overage. */
const day = (date: string, credits: number) => ({ date, credits, fromBalance: 0, overage: 0 })

describe.each(TEST_CASES)('dailyUsageHandler ($label)', ({ version, store: storeFactory }) => {
  let fixture: BillingFixture
  let billing: ApiBilling

  beforeEach(async () => {
    fixture = await billingFixture(await storeFactory.create())
    billing = fixture.billing
    // UTC days: 03-08 → 2, 03-09 → 3, 03-10 → 1. New York (EDT from 03-08 02:00): 03-08 → 5, 03-10 → 1.
    for (const [at, credits] of [
      ['2026-03-08T12:00:00Z', 2],
      ['2026-03-09T03:00:00Z', 3],
      ['2026-03-10T09:00:00Z', 1],
    ] as const) {
      fixture.clock.set(at)
      expect((await billing.tryTrackClientUsage('key-1', credits)).allowed).toBe(true)
    }
    fixture.clock.set(START)
  })
  afterEach(async () => {
    await fixture.store.close()
  })

  function app(options: Partial<DailyUsageHandlerOptions> = {}): Express {
    const app = version.express()
    app.get(
      '/api/usage/daily',
      dailyUsageHandler(billing, { clientId: apiKey, clock: fixture.clock.now, ...options }),
    )
    return app
  }

  const get = (query: string, options: Partial<DailyUsageHandlerOptions> = {}) =>
    request(app(options)).get(`/api/usage/daily${query}`).set('x-api-key', 'key-1')

  it('reports the last 30 days up to now in UTC by default', async () => {
    const res = await get('').expect(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toMatchObject({
      clientId: 'key-1',
      timeZone: 'UTC',
      from: '2026-02-09T00:00:00.000Z',
      to: START,
      total: 6,
    })
    expect(res.body.days).toHaveLength(30)
    expect(res.body.days[0]).toEqual(day('2026-02-09', 0))
    expect(res.body.days.slice(-3)).toEqual([
      day('2026-03-08', 2),
      day('2026-03-09', 3),
      day('2026-03-10', 1),
    ])
  })

  it('reports defaultDays days when configured', async () => {
    const res = await get('', { defaultDays: 2 }).expect(200)
    expect(res.body.days).toEqual([day('2026-03-09', 3), day('2026-03-10', 1)])
  })

  it('reads date-only from and to as whole local days, to included', async () => {
    const res = await get('?from=2026-03-08&to=2026-03-09').expect(200)
    expect(res.body).toMatchObject({
      from: '2026-03-08T00:00:00.000Z',
      to: '2026-03-10T00:00:00.000Z',
      total: 5,
    })
    expect(res.body.days).toEqual([day('2026-03-08', 2), day('2026-03-09', 3)])
  })

  it('counts days in the requested time zone', async () => {
    const res = await get('?from=2026-03-08&to=2026-03-10&timeZone=America/New_York').expect(200)
    expect(res.body).toMatchObject({
      timeZone: 'America/New_York',
      from: '2026-03-08T05:00:00.000Z',
      to: '2026-03-11T04:00:00.000Z',
      total: 6,
    })
    expect(res.body.days).toEqual([day('2026-03-08', 5), day('2026-03-09', 0), day('2026-03-10', 1)])
  })

  it('accepts instants with an offset, to exclusive', async () => {
    const res = await get('?from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00%2B00:00').expect(200)
    expect(res.body.days).toEqual([day('2026-03-09', 3)])
  })

  it('counts defaultDays back from a given to', async () => {
    const res = await get('?to=2026-03-09', { defaultDays: 3 }).expect(200)
    expect(res.body.days.map((d: { date: string }) => d.date)).toEqual([
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
    ])
  })

  it.each([
    ['an impossible date', '?from=2026-02-30', 'from'],
    ['a word', '?from=yesterday', 'from'],
    ['an instant without an offset', '?to=2026-03-09T10:00', 'to'],
    ['a repeated parameter', '?from=2026-03-01&from=2026-03-02', 'from'],
    ['an unknown time zone', '?timeZone=Mars/Olympus_Mons', 'timeZone'],
    ['to before from', '?from=2026-03-09&to=2026-03-01', 'to'],
  ])('answers 400 problem+json naming the parameter for %s', async (_name, query, parameter) => {
    const res = await get(query).expect(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body).toMatchObject({
      type: PROBLEM_TYPES.INVALID_ARGUMENT,
      status: 400,
      parameter,
      detail: expect.stringContaining(`Invalid ${parameter}:`),
    })
  })

  it('answers 401 without a client id and 403 for an unknown client', async () => {
    const missing = await request(app()).get('/api/usage/daily').expect(401)
    expect(missing.body.type).toBe(PROBLEM_TYPES.MISSING_CLIENT_ID)
    const unknown = await request(app()).get('/api/usage/daily').set('x-api-key', 'stranger').expect(403)
    expect(unknown.body.type).toBe(PROBLEM_TYPES.UNKNOWN_CLIENT)
  })
})

describe.each(EXPRESS_VERSIONS)('dailyUsageHandler with the store down ($name)', ({ express }) => {
  it('answers 503 problem+json', async () => {
    const { billing } = await billingFixture(new FailingUsageStore())
    const app = express()
    app.get('/api/usage/daily', dailyUsageHandler(billing, { clientId: apiKey }))
    const res = await request(app).get('/api/usage/daily').set('x-api-key', 'key-1').expect(503)
    expect(res.body.type).toBe(PROBLEM_TYPES.STORE_UNAVAILABLE)
  })
})

describe('dailyUsageHandler with plans from a resolver', () => {
  function resolvedApp(resolveClient: (clientId: string) => Promise<string | undefined>) {
    const billing = new ApiBilling({
      store: new MemoryUsageStore(),
      plans: { basic: [{ duration: QuotaDuration.DAY, creditLimit: 5 }] },
      resolveClient,
    })
    const app = (EXPRESS_VERSIONS[0] as (typeof EXPRESS_VERSIONS)[number]).express()
    app.get('/api/usage/daily', dailyUsageHandler(billing, { clientId: apiKey }))
    return app
  }

  it('reports a client the resolver knows, even before its first charge', async () => {
    const app = resolvedApp(async (clientId) => (clientId === 'key-r' ? 'basic' : undefined))
    const res = await request(app).get('/api/usage/daily').set('x-api-key', 'key-r').expect(200)
    expect(res.body).toMatchObject({ clientId: 'key-r', total: 0 })
    await request(app).get('/api/usage/daily').set('x-api-key', 'stranger').expect(403)
  })

  it('answers 503 when the plan cannot be looked up', async () => {
    const app = resolvedApp(async () => {
      throw new Error('customer database down')
    })
    const res = await request(app).get('/api/usage/daily').set('x-api-key', 'key-r').expect(503)
    expect(res.headers['retry-after']).toBe('1')
    expect(res.text).not.toContain('customer database down')
  })
})

describe('dailyUsageHandler options', () => {
  it.each([0, -1, 2.5, 5_000, '30'])('explains defaultDays %p at construction', async (defaultDays) => {
    const { billing } = await billingFixture(new FailingUsageStore())
    expect(() =>
      dailyUsageHandler(billing, { clientId: apiKey, defaultDays } as DailyUsageHandlerOptions),
    ).toThrow(/dailyUsageHandler: options\.defaultDays must be a whole number of days from 1 to 3700/)
  })
})
