import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { type ApiBilling, PROBLEM_TYPES, quotaStatusBody } from '@x/api-billing-core'
import type { Express, Request } from 'express'
import request from 'supertest'
import { applyBillingHeaders } from './apply-billing-headers.js'
import { billingErrorHandler } from './billing-error-handler.js'
import { sendBillingError } from './send-billing-error.js'
import { type BillingFixture, billingFixture, SECONDS_TO_MIDNIGHT } from './test-support/billing-fixture.js'
import { rateLimitItems } from './test-support/rate-limit-items.js'
import { TEST_CASES } from './test-support/test-cases.js'

const apiKey = (req: Request) => req.get('x-api-key') ?? ''

describe.each(TEST_CASES)(
  'charging inside the handler, frappy style ($label)',
  ({ version, store: storeFactory }) => {
    let fixture: BillingFixture
    let billing: ApiBilling

    beforeEach(async () => {
      fixture = await billingFixture(await storeFactory.create())
      billing = fixture.billing
    })
    afterEach(async () => {
      await fixture.store.close()
    })

    /** frappy's fetch-expensive-data: track_client_usage(5) then create_response_with_header. */
    function tryCatchApp(): Express {
      const app = version.express()
      app.get('/api/fetch-expensive-data', async (req, res, next) => {
        try {
          const decision = await billing.trackClientUsage(apiKey(req), 5)
          applyBillingHeaders(res, decision)
          res.json({ result: 'expensive', remaining: decision.remaining })
        } catch (error) {
          if (!sendBillingError(res, error)) next(error)
        }
      })
      return app
    }

    it('applyBillingHeaders puts the decision headers on a response the handler builds', async () => {
      const res = await request(tryCatchApp())
        .get('/api/fetch-expensive-data')
        .set('x-api-key', 'key-1')
        .expect(200)
      expect(res.body).toEqual({ result: 'expensive', remaining: 0 })
      expect(rateLimitItems(res.headers.ratelimit)[0]).toEqual({
        name: 'day',
        params: { r: 0, t: SECONDS_TO_MIDNIGHT },
      })
      expect(res.headers['x-ratelimit-remaining']).toBe('0')
    })

    it('sendBillingError answers QuotaExceededError with 429, Retry-After and the problem body', async () => {
      const app = tryCatchApp()
      await request(app).get('/api/fetch-expensive-data').set('x-api-key', 'key-1').expect(200)
      const res = await request(app).get('/api/fetch-expensive-data').set('x-api-key', 'key-1').expect(429)
      expect(res.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT))
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.body).toMatchObject({ type: PROBLEM_TYPES.QUOTA_EXCEEDED, cost: 5, remaining: 0 })
    })

    it('sendBillingError maps an unknown client to 403 and an empty id to 400', async () => {
      const app = tryCatchApp()
      const unknown = await request(app)
        .get('/api/fetch-expensive-data')
        .set('x-api-key', 'stranger')
        .expect(403)
      expect(unknown.body.type).toBe(PROBLEM_TYPES.UNKNOWN_CLIENT)
      const empty = await request(app).get('/api/fetch-expensive-data').expect(400)
      expect(empty.body.type).toBe(PROBLEM_TYPES.INVALID_ARGUMENT)
    })

    it('sendBillingError leaves other errors to the caller', async () => {
      const app = version.express()
      app.get('/boom', (_req, res) => {
        res.json({ handled: sendBillingError(res, new Error('not ours')) })
      })
      const res = await request(app).get('/boom').expect(200)
      expect(res.body).toEqual({ handled: false })
    })

    it('billingErrorHandler answers a QuotaExceededError thrown by trackClientUsage', async () => {
      const app = version.express()
      app.get('/api/fetch-data', (req, res, next) => {
        billing
          .trackClientUsage(apiKey(req), 6)
          .then((decision) => res.json(quotaStatusBody(decision)))
          .catch(next)
      })
      app.use(billingErrorHandler({ legacy: false }))
      const res = await request(app).get('/api/fetch-data').set('x-api-key', 'key-1').expect(429)
      expect(res.body.type).toBe(PROBLEM_TYPES.QUOTA_EXCEEDED)
      expect(res.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT))
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined()
      expect(rateLimitItems(res.headers.ratelimit)[0]?.params.r).toBe(5)
    })

    it('billingErrorHandler passes any other error on', async () => {
      const app = version.express()
      app.get('/boom', () => {
        throw new Error('not ours')
      })
      app.use(billingErrorHandler())
      app.use(((error, _req, res, _next) => {
        res.status(418).json({ passedOn: (error as Error).message })
      }) as import('express').ErrorRequestHandler)
      const res = await request(app).get('/boom').expect(418)
      expect(res.body).toEqual({ passedOn: 'not ours' })
    })
  },
)
