import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { type ApiBilling, PROBLEM_TYPES } from '@x/api-billing-core'
import type { Express, Request } from 'express'
import request from 'supertest'
import { type QuotaStatusHandlerOptions, quotaStatusHandler } from './quota-status-handler.js'
import {
  type BillingFixture,
  billingFixture,
  SECONDS_TO_APRIL,
  SECONDS_TO_MIDNIGHT,
  usedCredits,
} from './test-support/billing-fixture.js'
import { EXPRESS_VERSIONS } from './test-support/express-versions.js'
import { FailingUsageStore } from './test-support/failing-usage-store.js'
import { rateLimitItems } from './test-support/rate-limit-items.js'
import { TEST_CASES } from './test-support/test-cases.js'

const apiKey = (req: Request) => req.get('x-api-key')

describe.each(TEST_CASES)('quotaStatusHandler ($label)', ({ version, store: storeFactory }) => {
  let fixture: BillingFixture
  let billing: ApiBilling

  beforeEach(async () => {
    fixture = await billingFixture(await storeFactory.create())
    billing = fixture.billing
  })
  afterEach(async () => {
    await fixture.store.close()
  })

  function app(options: Partial<QuotaStatusHandlerOptions> = {}): Express {
    const app = version.express()
    app.get('/api/quota', quotaStatusHandler(billing, { clientId: apiKey, ...options }))
    return app
  }

  it("answers 200 with the caller's windows as JSON, without charging", async () => {
    await billing.tryTrackClientUsage('key-1', 2)
    const res = await request(app()).get('/api/quota').set('x-api-key', 'key-1').expect(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual({
      clientId: 'key-1',
      allowed: true,
      remaining: 3,
      resetAt: '2026-03-11T00:00:00.000Z',
      at: '2026-03-10T10:00:00.250Z',
      windows: [
        {
          duration: 'day',
          limit: 5,
          used: 2,
          remaining: 3,
          start: '2026-03-10T00:00:00.000Z',
          resetAt: '2026-03-11T00:00:00.000Z',
          overflow: 'reject',
          overageLimit: 0,
        },
        {
          duration: 'month',
          limit: 100,
          used: 2,
          remaining: 98,
          start: '2026-03-01T00:00:00.000Z',
          resetAt: '2026-04-01T00:00:00.000Z',
          overflow: 'reject',
          overageLimit: 0,
        },
      ],
      balance: null,
    })
    expect(await usedCredits(billing, 'key-1')).toEqual([2, 2])
  })

  it('sends the rate-limit headers of the status', async () => {
    await billing.tryTrackClientUsage('key-1', 2)
    const res = await request(app()).get('/api/quota').set('x-api-key', 'key-1').expect(200)
    expect(rateLimitItems(res.headers.ratelimit)).toEqual([
      { name: 'day', params: { r: 3, t: SECONDS_TO_MIDNIGHT } },
      { name: 'month', params: { r: 98, t: SECONDS_TO_APRIL } },
    ])
    expect(res.headers['x-ratelimit-remaining']).toBe('3')
  })

  it('reports an exhausted quota with 200, allowed false and no Retry-After', async () => {
    await billing.tryTrackClientUsage('key-1', 5)
    const res = await request(app()).get('/api/quota').set('x-api-key', 'key-1').expect(200)
    expect(res.body).toMatchObject({ allowed: false, remaining: 0 })
    expect(res.headers['retry-after']).toBeUndefined()
    expect(rateLimitItems(res.headers.ratelimit)[0]).toEqual({
      name: 'day',
      params: { r: 0, t: SECONDS_TO_MIDNIGHT },
    })
  })

  it('honours the headers option', async () => {
    const res = await request(app({ headers: { standard: false } }))
      .get('/api/quota')
      .set('x-api-key', 'key-1')
      .expect(200)
    expect(res.headers.ratelimit).toBeUndefined()
    expect(res.headers['x-ratelimit-limit']).toBe('5')
  })

  it('answers 401 without a client id and 403 for an unknown client', async () => {
    const missing = await request(app()).get('/api/quota').expect(401)
    expect(missing.body.type).toBe(PROBLEM_TYPES.MISSING_CLIENT_ID)
    const unknown = await request(app()).get('/api/quota').set('x-api-key', 'stranger').expect(403)
    expect(unknown.body.type).toBe(PROBLEM_TYPES.UNKNOWN_CLIENT)
  })
})

describe.each(EXPRESS_VERSIONS)('quotaStatusHandler with the store down ($name)', ({ express }) => {
  it('answers 503 problem+json', async () => {
    const { billing } = await billingFixture(new FailingUsageStore())
    const app = express()
    app.get('/api/quota', quotaStatusHandler(billing, { clientId: apiKey }))
    const res = await request(app).get('/api/quota').set('x-api-key', 'key-1').expect(503)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body.type).toBe(PROBLEM_TYPES.STORE_UNAVAILABLE)
  })
})

describe('quotaStatusHandler options', () => {
  it('explains a missing clientId and bad headers at construction', async () => {
    const { billing } = await billingFixture(new FailingUsageStore())
    expect(() => quotaStatusHandler(billing, {} as QuotaStatusHandlerOptions)).toThrow(
      /quotaStatusHandler: options\.clientId must be a function/,
    )
    expect(() =>
      quotaStatusHandler(billing, {
        clientId: apiKey,
        headers: { standard: 1 },
      } as unknown as QuotaStatusHandlerOptions),
    ).toThrow(/quotaStatusHandler: options\.headers\.standard must be true or false; got 1/)
  })
})
