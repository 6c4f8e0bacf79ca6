import { describe, expect, it } from '@jest/globals'
import {
  ApiBilling,
  MemoryUsageStore,
  PROBLEM_TYPES,
  type QuotaDefinition,
  QuotaDuration,
} from '@x/api-billing-core'
import { ManualClock } from '@x/api-billing-core/testing'
import type { Express, Request } from 'express'
import request from 'supertest'
import { billingErrorHandler } from './billing-error-handler.js'
import { type BillingMiddlewareOptions, billingMiddleware } from './billing-middleware.js'
import { dailyUsageHandler } from './daily-usage-handler.js'
import { getBillingDecision } from './get-billing-decision.js'
import { quotaStatusHandler } from './quota-status-handler.js'
import { SECONDS_TO_MIDNIGHT, START } from './test-support/billing-fixture.js'
import { EXPRESS_VERSIONS } from './test-support/express-versions.js'
import { rateLimitItems } from './test-support/rate-limit-items.js'

const apiKey = (req: Request) => req.get('x-api-key')

/** A pure prepaid plan: no included credits, every credit paid from grants. */
const PREPAID: QuotaDefinition[] = [{ duration: QuotaDuration.MONTH, creditLimit: 0, overflow: 'balance' }]

/** 5 included credits a day, then up to 2 more billed as overage. */
const BILLED: QuotaDefinition[] = [
  { duration: QuotaDuration.DAY, creditLimit: 5, overflow: 'bill', overageLimit: 2 },
]

/** An engine on a fresh memory store with a manual clock at `START`, `key-1` on `plan`. */
async function engine(plan: QuotaDefinition[], creditScale?: number) {
  const clock = new ManualClock(START)
  const billing = new ApiBilling({
    store: new MemoryUsageStore(),
    clock: clock.now,
    ...(creditScale === undefined ? {} : { creditScale }),
  })
  await billing.updateClientQuotas('key-1', plan)
  return { billing, clock }
}

describe.each(EXPRESS_VERSIONS)('prepaid credits and billed overage ($name)', ({ express }) => {
  function app(billing: ApiBilling, options: Partial<BillingMiddlewareOptions> = {}): Express {
    const server = express()
    server.get(
      '/api/fetch-data',
      billingMiddleware(billing, { clientId: apiKey, ...options }),
      (_req, res) => {
        const decision = getBillingDecision(res)
        res.json({
          fromBalance: decision?.fromBalance,
          overage: decision?.overage,
          balance: decision?.balance,
        })
      },
    )
    server.get('/api/quota', quotaStatusHandler(billing, { clientId: apiKey }))
    server.get(
      '/api/usage/daily',
      dailyUsageHandler(billing, { clientId: apiKey, clock: () => billing.now() }),
    )
    return server
  }

  const call = (server: Express, key = 'key-1') =>
    request(server).get('/api/fetch-data').set('x-api-key', key)

  it('answers 402 with the credits needed and available once a prepaid balance runs out', async () => {
    const { billing } = await engine(PREPAID)
    await billing.grantCredits('key-1', 2)
    const server = app(billing)
    const first = await call(server).expect(200)
    expect(first.body).toEqual({ fromBalance: 1, overage: 0, balance: 1 })
    expect(first.headers['x-ratelimit-limit']).toBe('0')
    expect(first.headers['x-ratelimit-remaining']).toBe('1')
    await call(server).expect(200)

    const refused = await call(server).expect(402)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.headers['retry-after']).toBeUndefined()
    expect(rateLimitItems(refused.headers.ratelimit)).toEqual([{ name: 'balance', params: { r: 0 } }])
    expect(rateLimitItems(refused.headers['ratelimit-policy'])).toEqual([
      { name: 'balance', params: { q: 0 } },
    ])
    expect(refused.headers['x-ratelimit-remaining']).toBe('0')
    expect(refused.body).toEqual({
      type: PROBLEM_TYPES.INSUFFICIENT_CREDITS,
      title: 'Insufficient credits',
      status: 402,
      detail: '1 credit(s) needed from the prepaid balance, 0 available',
      'violated-policies': ['balance'],
      cost: 1,
      needed: 1,
      available: 0,
    })
    expect(refused.text).not.toContain('key-1')
    expect((await billing.getBalance('key-1')).available).toBe(0)
  })

  it('answers with insufficientCreditsStatus instead of 402 when set, in the body too', async () => {
    const { billing } = await engine(PREPAID)
    const refused = await call(app(billing, { insufficientCreditsStatus: 403 })).expect(403)
    expect(refused.body).toMatchObject({ type: PROBLEM_TYPES.INSUFFICIENT_CREDITS, status: 403 })
  })

  it('answers an InsufficientCreditsError thrown in a handler with 402 through billingErrorHandler', async () => {
    const { billing } = await engine(PREPAID)
    await billing.grantCredits('key-1', 1)
    const server = express()
    server.get('/api/charge', async (_req, res, next) => {
      try {
        res.json(await billing.trackClientUsage('key-1', 3))
      } catch (error) {
        next(error)
      }
    })
    server.use(billingErrorHandler())
    const refused = await request(server).get('/api/charge').expect(402)
    expect(refused.body).toMatchObject({ status: 402, needed: 3, available: 1 })
    expect(rateLimitItems(refused.headers.ratelimit)).toEqual([{ name: 'balance', params: { r: 1 } }])
  })

  it("answers 429 for a 'bill' window only past limit + overageLimit", async () => {
    const { billing } = await engine(BILLED)
    const server = app(billing)
    for (let i = 0; i < 5; i++) await call(server).expect(200)
    expect((await call(server).expect(200)).body).toMatchObject({ overage: 1 })
    const seventh = await call(server).expect(200)
    expect(seventh.body).toMatchObject({ overage: 1 })
    expect(rateLimitItems(seventh.headers.ratelimit)).toEqual([
      { name: 'day', params: { r: 0, t: SECONDS_TO_MIDNIGHT } },
    ])

    const refused = await call(server).expect(429)
    expect(refused.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT))
    expect(refused.body).toMatchObject({
      type: PROBLEM_TYPES.QUOTA_EXCEEDED,
      status: 429,
      'violated-policies': ['day'],
      violatedWindows: [{ duration: 'day', limit: 5, used: 7, overflow: 'bill', overageLimit: 2 }],
    })
  })

  it('adds the balance as a RateLimit item without t, and to RateLimit-Policy', async () => {
    const { billing } = await engine([{ duration: QuotaDuration.MINUTE, creditLimit: 10 }, ...PREPAID])
    await billing.grantCredits('key-1', 100)
    const res = await call(app(billing)).expect(200)
    expect(rateLimitItems(res.headers.ratelimit)).toEqual([
      { name: 'minute', params: { r: 9, t: 60 } },
      { name: 'balance', params: { r: 99 } },
    ])
    expect(rateLimitItems(res.headers['ratelimit-policy'])).toEqual([
      { name: 'minute', params: { q: 10, w: 60 } },
      { name: 'balance', params: { q: 99 } },
    ])
    expect(res.headers['x-ratelimit-limit']).toBe('10')
    expect(res.headers['x-ratelimit-remaining']).toBe('9')
  })

  it('rounds fractional credits down in the headers (creditScale 1000, cost 0.5), exact in the JSON', async () => {
    const { billing } = await engine(
      [{ duration: QuotaDuration.DAY, creditLimit: 1.5, overflow: 'balance' }],
      1000,
    )
    await billing.grantCredits('key-1', 1.25)
    const server = app(billing, { cost: 0.5 })
    const first = await call(server).expect(200)
    expect(rateLimitItems(first.headers.ratelimit)).toEqual([
      { name: 'day', params: { r: 1, t: SECONDS_TO_MIDNIGHT } },
      { name: 'balance', params: { r: 1 } },
    ])
    expect(rateLimitItems(first.headers['ratelimit-policy'])).toEqual([
      { name: 'day', params: { q: 1, w: 86_400 } },
      { name: 'balance', params: { q: 1 } },
    ])
    // The legacy trio counts the balance in a prepaid window: 1 included + 1.25 prepaid = 2.25 → 2.
    expect(first.headers['x-ratelimit-limit']).toBe('1')
    expect(first.headers['x-ratelimit-remaining']).toBe('2')

    await call(server).expect(200)
    expect((await call(server).expect(200)).body).toEqual({ fromBalance: 0, overage: 0, balance: 1.25 })
    const fourth = await call(server).expect(200)
    expect(fourth.body).toEqual({ fromBalance: 0.5, overage: 0, balance: 0.75 })
    expect(rateLimitItems(fourth.headers.ratelimit)).toEqual([
      { name: 'day', params: { r: 0, t: SECONDS_TO_MIDNIGHT } },
      { name: 'balance', params: { r: 0 } },
    ])
    expect(fourth.headers['x-ratelimit-remaining']).toBe('0')

    const status = await request(server).get('/api/quota').set('x-api-key', 'key-1').expect(200)
    expect(status.body).toMatchObject({ balance: 0.75, windows: [{ limit: 1.5, used: 2, remaining: 0 }] })
  })

  it('sends the balance and each window’s overflow and overageLimit on the status route', async () => {
    const { billing } = await engine([{ duration: QuotaDuration.MINUTE, creditLimit: 10 }, ...PREPAID])
    await billing.grantCredits('key-1', 20)
    const server = app(billing)
    await call(server).expect(200)
    const res = await request(server).get('/api/quota').set('x-api-key', 'key-1').expect(200)
    expect(res.body).toMatchObject({
      clientId: 'key-1',
      allowed: true,
      remaining: 0,
      resetAt: '2026-04-01T00:00:00.000Z',
      balance: 19,
      windows: [
        { duration: 'minute', limit: 10, used: 1, remaining: 9, overflow: 'reject', overageLimit: 0 },
        { duration: 'month', limit: 0, used: 1, remaining: 0, overflow: 'balance', overageLimit: null },
      ],
    })
    expect(rateLimitItems(res.headers.ratelimit)).toEqual([
      { name: 'minute', params: { r: 9, t: 60 } },
      { name: 'balance', params: { r: 19 } },
    ])
    expect(res.headers['retry-after']).toBeUndefined()

    const { billing: billed } = await engine(BILLED)
    const plain = await request(app(billed)).get('/api/quota').set('x-api-key', 'key-1').expect(200)
    expect(plain.body).toMatchObject({ balance: null, windows: [{ overflow: 'bill', overageLimit: 2 }] })
  })

  it('reports fromBalance and overage per day on the daily-usage route', async () => {
    const { billing, clock } = await engine(BILLED)
    clock.set('2026-03-09T12:00:00Z')
    await billing.tryTrackClientUsage('key-1', 6)
    clock.set(START)
    await billing.tryTrackClientUsage('key-1', 4)
    await billing.updateClientQuotas('key-2', PREPAID)
    await billing.grantCredits('key-2', 10)
    await billing.tryTrackClientUsage('key-2', 3)

    const server = app(billing)
    const billed = await request(server)
      .get('/api/usage/daily?from=2026-03-09&to=2026-03-10')
      .set('x-api-key', 'key-1')
      .expect(200)
    expect(billed.body.days).toEqual([
      { date: '2026-03-09', credits: 6, fromBalance: 0, overage: 1 },
      { date: '2026-03-10', credits: 4, fromBalance: 0, overage: 0 },
    ])
    expect(billed.body.total).toBe(10)
    const prepaid = await request(server)
      .get('/api/usage/daily?from=2026-03-10&to=2026-03-10')
      .set('x-api-key', 'key-2')
      .expect(200)
    expect(prepaid.body.days).toEqual([{ date: '2026-03-10', credits: 3, fromBalance: 3, overage: 0 }])
  })
})
