import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import {
  type ApiBilling,
  type Decision,
  InvalidArgumentError,
  PROBLEM_TYPES,
  QuotaExceededError,
  quotaStatusBody,
  StoreUnavailableError,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from '@x/api-billing-core'
import type { ErrorRequestHandler, Express, Request, RequestHandler } from 'express'
import request from 'supertest'
import { type BillingMiddlewareOptions, billingMiddleware } from './billing-middleware.js'
import { getBillingDecision } from './get-billing-decision.js'
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
import { recordRefunds } from './test-support/record-refunds.js'
import { TEST_CASES } from './test-support/test-cases.js'

const apiKey = (req: Request) => req.get('x-api-key')
const MIDNIGHT_EPOCH_S = Date.parse('2026-03-11T00:00:00Z') / 1000

/** Answers with the decision the middleware made, as JSON. */
const echoDecision: RequestHandler = (_req, res) => {
  const decision = getBillingDecision(res)
  res.json(decision === undefined ? { decision: null } : quotaStatusBody(decision))
}

/** Records errors reaching the app's error handler and answers 418, so tests can tell `next(err)` apart. */
function teapot(seen: unknown[]): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    seen.push(error)
    res.status(418).json({ message: (error as Error).message })
  }
}

describe.each(TEST_CASES)('billingMiddleware ($label)', ({ version, store: storeFactory }) => {
  let fixture: BillingFixture
  let billing: ApiBilling

  beforeEach(async () => {
    fixture = await billingFixture(await storeFactory.create())
    billing = fixture.billing
  })
  afterEach(async () => {
    await fixture.store.close()
  })

  function app(
    options: Partial<BillingMiddlewareOptions> = {},
    handler: RequestHandler = echoDecision,
    errors: unknown[] = [],
  ): Express {
    const app = version.express()
    app.get('/api/fetch-data', billingMiddleware(billing, { clientId: apiKey, ...options }), handler)
    app.use(teapot(errors))
    return app
  }

  describe('an allowed request', () => {
    it('reaches the handler with the decision and carries draft-09 and legacy headers, tightest first', async () => {
      const res = await request(app()).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      const decision = res.body as ReturnType<typeof quotaStatusBody>
      expect(decision.allowed).toBe(true)
      expect(decision.windows.map((w) => [w.duration, w.used, w.remaining])).toEqual([
        ['day', 1, 4],
        ['month', 1, 99],
      ])
      expect(rateLimitItems(res.headers['ratelimit-policy'])).toEqual([
        { name: 'day', params: { q: 5, w: 86_400 } },
        { name: 'month', params: { q: 100, w: 31 * 86_400 } },
      ])
      expect(rateLimitItems(res.headers.ratelimit)).toEqual([
        { name: 'day', params: { r: 4, t: SECONDS_TO_MIDNIGHT } },
        { name: 'month', params: { r: 99, t: SECONDS_TO_APRIL } },
      ])
      expect(res.headers['x-ratelimit-limit']).toBe('5')
      expect(res.headers['x-ratelimit-remaining']).toBe('4')
      expect(res.headers['x-ratelimit-reset']).toBe(String(MIDNIGHT_EPOCH_S))
      expect(res.headers['retry-after']).toBeUndefined()
    })

    it('lists the month first when the month has fewer credits left than the day', async () => {
      const res = await request(app()).get('/api/fetch-data').set('x-api-key', 'key-2').expect(200)
      expect(rateLimitItems(res.headers.ratelimit)).toEqual([
        { name: 'month', params: { r: 2, t: SECONDS_TO_APRIL } },
        { name: 'day', params: { r: 49, t: SECONDS_TO_MIDNIGHT } },
      ])
      expect(res.headers['x-ratelimit-limit']).toBe('3')
      expect(res.headers['x-ratelimit-remaining']).toBe('2')
    })

    it('counts t from the engine clock', async () => {
      fixture.clock.advance(3_600_000)
      const res = await request(app()).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      expect(rateLimitItems(res.headers.ratelimit)[0]).toEqual({
        name: 'day',
        params: { r: 4, t: SECONDS_TO_MIDNIGHT - 3_600 },
      })
    })

    it('sends only the legacy headers with headers.standard false', async () => {
      const res = await request(app({ headers: { standard: false } }))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(200)
      expect(res.headers.ratelimit).toBeUndefined()
      expect(res.headers['ratelimit-policy']).toBeUndefined()
      expect(res.headers['x-ratelimit-remaining']).toBe('4')
    })

    it('sends only the standard headers with headers.legacy false', async () => {
      const res = await request(app({ headers: { legacy: false } }))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(200)
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined()
      expect(rateLimitItems(res.headers.ratelimit)[0]?.params.r).toBe(4)
    })

    it('does not write headers when a previous middleware already sent them', async () => {
      const server = version.express()
      server.get(
        '/api/fetch-data',
        (_req, res, next) => {
          res.writeHead(200, { 'content-type': 'text/plain' })
          next()
        },
        billingMiddleware(billing, { clientId: apiKey }),
        (_req, res) => {
          res.end(getBillingDecision(res)?.allowed ? 'charged' : 'not charged')
        },
      )
      const res = await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      expect(res.text).toBe('charged')
      expect(res.headers.ratelimit).toBeUndefined()
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined()
    })
  })

  describe('an exhausted quota', () => {
    it('answers 429 with Retry-After, the headers and a problem body, without calling the handler', async () => {
      const handler = jest.fn<RequestHandler>(echoDecision)
      const server = app({}, handler)
      for (let i = 0; i < 5; i++)
        await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      fixture.clock.advance(1_000)

      const res = await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(429)

      expect(handler).toHaveBeenCalledTimes(5)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT - 1))
      expect(rateLimitItems(res.headers.ratelimit)).toEqual([
        { name: 'day', params: { r: 0, t: SECONDS_TO_MIDNIGHT - 1 } },
        { name: 'month', params: { r: 95, t: SECONDS_TO_APRIL - 1 } },
      ])
      expect(res.headers['x-ratelimit-remaining']).toBe('0')
      expect(res.body).toEqual({
        type: PROBLEM_TYPES.QUOTA_EXCEEDED,
        title: 'Quota exceeded',
        status: 429,
        detail: expect.stringContaining('day window'),
        'violated-policies': ['day'],
        cost: 1,
        remaining: 0,
        renewAt: '2026-03-11T00:00:00.000Z',
        retryAfter: SECONDS_TO_MIDNIGHT - 1,
        violatedWindows: [
          {
            duration: 'day',
            limit: 5,
            used: 5,
            remaining: 0,
            start: '2026-03-10T00:00:00.000Z',
            resetAt: '2026-03-11T00:00:00.000Z',
            overflow: 'reject',
            overageLimit: 0,
          },
        ],
      })
      expect(await usedCredits(billing, 'key-1')).toEqual([5, 5])
    })

    it('still sends Retry-After with both header sets switched off', async () => {
      const server = app({ cost: 6, headers: { standard: false, legacy: false } })
      const res = await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(429)
      expect(res.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT))
      expect(res.headers.ratelimit).toBeUndefined()
      expect(res.headers['x-ratelimit-limit']).toBeUndefined()
    })

    it('serves the client again once the window renews', async () => {
      const server = app({ cost: 5 })
      await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(429)
      fixture.clock.set('2026-03-11T00:00:00Z')
      await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
    })

    it('passes QuotaExceededError to next(err) when the headers were already sent', async () => {
      const errors: unknown[] = []
      const server = version.express()
      server.get(
        '/api/fetch-data',
        (_req, res, next) => {
          res.writeHead(200, { 'content-type': 'text/plain' })
          next()
        },
        billingMiddleware(billing, { clientId: apiKey, cost: 6 }),
      )
      server.use(((error, _req, res, _next) => {
        errors.push(error)
        res.end('too late for a 429')
      }) as ErrorRequestHandler)
      const res = await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      expect(res.text).toBe('too late for a 429')
      expect(errors).toEqual([expect.any(QuotaExceededError)])
    })
  })

  describe('the cost', () => {
    it('charges a fixed cost to every window', async () => {
      await request(app({ cost: 5 }))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(200)
      expect(await usedCredits(billing, 'key-1')).toEqual([5, 5])
    })

    it('charges what an async cost function returns', async () => {
      const cost = async (req: Request) => Number(req.query.pages)
      await request(app({ cost })).get('/api/fetch-data?pages=3').set('x-api-key', 'key-1').expect(200)
      expect(await usedCredits(billing, 'key-1')).toEqual([3, 3])
    })

    it.each([
      ['NaN', Number.NaN, /finite number/],
      ['negative', -1, /cannot be negative/],
      ['fractional', 1.5, /whole numbers/],
      ['a string', '2' as unknown as number, /finite number/],
    ])('answers 400 and charges nothing when the cost function returns %s', async (_name, value, detail) => {
      const errors: unknown[] = []
      const res = await request(app({ cost: () => value }, echoDecision, errors))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(400)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.body).toMatchObject({ type: PROBLEM_TYPES.INVALID_ARGUMENT, status: 400, detail })
      expect(errors).toEqual([])
      expect(await usedCredits(billing, 'key-1')).toEqual([0, 0])
    })

    it('passes an error thrown by the cost function to next(err), charging nothing', async () => {
      const errors: unknown[] = []
      const cost = () => {
        throw new Error('price list unavailable')
      }
      const res = await request(app({ cost }, echoDecision, errors))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(418)
      expect(res.body).toEqual({ message: 'price list unavailable' })
      expect(errors).toHaveLength(1)
      expect(await usedCredits(billing, 'key-1')).toEqual([0, 0])
    })

    it('passes a rejected async cost function to next(err) too, so the request never hangs', async () => {
      const errors: unknown[] = []
      const cost = async () => Promise.reject(new Error('late failure'))
      await request(app({ cost }, echoDecision, errors))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(418)
      expect(errors).toHaveLength(1)
    })

    it('answers a BillingError thrown by the cost function with its own status', async () => {
      const cost = () => {
        throw new InvalidArgumentError('pages', 'expected a positive number')
      }
      const res = await request(app({ cost })).get('/api/fetch-data').set('x-api-key', 'key-1').expect(400)
      expect(res.body.detail).toBe('Invalid pages: expected a positive number')
    })
  })

  describe('the client id', () => {
    it('answers 401 when the request has none', async () => {
      const handler = jest.fn<RequestHandler>(echoDecision)
      const res = await request(app({}, handler)).get('/api/fetch-data').expect(401)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.body).toMatchObject({
        type: PROBLEM_TYPES.MISSING_CLIENT_ID,
        title: 'Missing client id',
        status: 401,
      })
      expect(handler).not.toHaveBeenCalled()
    })

    it('answers 403 for a client without a plan', async () => {
      const res = await request(app()).get('/api/fetch-data').set('x-api-key', 'stranger').expect(403)
      expect(res.body).toMatchObject({
        type: PROBLEM_TYPES.UNKNOWN_CLIENT,
        status: 403,
        detail: 'No plan is set for this client.',
      })
      expect(res.text).not.toContain('stranger')
    })

    it('accepts an async clientId function', async () => {
      const clientId = async (req: Request) => req.get('authorization')?.replace(/^Bearer /, '')
      await request(app({ clientId })).get('/api/fetch-data').set('authorization', 'Bearer key-1').expect(200)
      expect(await usedCredits(billing, 'key-1')).toEqual([1, 1])
    })

    it('passes an error thrown by the clientId function to next(err)', async () => {
      const errors: unknown[] = []
      const clientId = () => {
        throw new Error('token verification crashed')
      }
      await request(app({ clientId }, echoDecision, errors))
        .get('/api/fetch-data')
        .expect(418)
      expect(errors).toEqual([expect.objectContaining({ message: 'token verification crashed' })])
    })

    it('passes a TypeError to next(err) when the clientId function returns a non-string', async () => {
      const errors: unknown[] = []
      const clientId = (() => 42) as unknown as BillingMiddlewareOptions['clientId']
      await request(app({ clientId }, echoDecision, errors))
        .get('/api/fetch-data')
        .expect(418)
      expect(errors).toEqual([expect.any(TypeError)])
    })
  })

  describe('idempotency', () => {
    it('charges a retried request with the same Idempotency-Key once', async () => {
      const server = app({ cost: 2, idempotencyKey: (req) => req.get('idempotency-key') })
      for (let i = 0; i < 2; i++) {
        await request(server)
          .get('/api/fetch-data')
          .set('x-api-key', 'key-1')
          .set('idempotency-key', 'order-17')
          .expect(200)
      }
      await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      expect(await usedCredits(billing, 'key-1')).toEqual([4, 4])
    })
  })

  describe('a handler working with the decision', () => {
    it('can refund part of the charge when the real cost turns out lower', async () => {
      const handler: RequestHandler = async (_req, res) => {
        await billing.refund(getBillingDecision(res) as Decision, { credits: 3 })
        res.json({ ok: true })
      }
      await request(app({ cost: 5 }, handler))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(200)
      expect(await usedCredits(billing, 'key-1')).toEqual([2, 2])
    })

    it('can charge more when the real cost turns out higher', async () => {
      const handler: RequestHandler = async (_req, res) => {
        const extra = await billing.tryTrackClientUsage((getBillingDecision(res) as Decision).clientId, 2)
        res.json({ extraAllowed: extra.allowed })
      }
      const res = await request(app({}, handler)).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      expect(res.body).toEqual({ extraAllowed: true })
      expect(await usedCredits(billing, 'key-1')).toEqual([3, 3])
    })
  })

  describe('refundOnError', () => {
    let refunds: Promise<boolean>[]
    beforeEach(() => {
      refunds = recordRefunds(fixture.store)
    })

    async function call(options: Partial<BillingMiddlewareOptions>, handler: RequestHandler, status: number) {
      const server = version.express()
      server.get(
        '/api/fetch-data',
        billingMiddleware(billing, { clientId: apiKey, cost: 2, ...options }),
        handler,
      )
      await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(status)
      await Promise.all(refunds)
    }

    const fail500: RequestHandler = (_req, res) => {
      res.status(500).json({ error: 'boom' })
    }

    it('refunds a request whose handler answers 500', async () => {
      await call({ refundOnError: true }, fail500, 500)
      expect(refunds).toHaveLength(1)
      expect(await usedCredits(billing, 'key-1')).toEqual([0, 0])
    })

    it('refunds a request whose handler throws', async () => {
      const handler: RequestHandler = () => {
        throw new Error('handler crashed')
      }
      await call({ refundOnError: true }, handler, 500)
      expect(await usedCredits(billing, 'key-1')).toEqual([0, 0])
    })

    it('refunds a request whose handler calls next(err)', async () => {
      const handler: RequestHandler = (_req, _res, next) => next(new Error('database gone'))
      await call({ refundOnError: true }, handler, 500)
      expect(await usedCredits(billing, 'key-1')).toEqual([0, 0])
    })

    if (version.name === 'Express 5') {
      it('refunds a request whose async handler rejects', async () => {
        const handler: RequestHandler = async () => {
          throw new Error('async crash')
        }
        await call({ refundOnError: true }, handler, 500)
        expect(await usedCredits(billing, 'key-1')).toEqual([0, 0])
      })
    }

    it('does not refund a 4xx answer', async () => {
      const handler: RequestHandler = (_req, res) => {
        res.status(404).json({ error: 'no such thing' })
      }
      await call({ refundOnError: true }, handler, 404)
      expect(refunds).toHaveLength(0)
      expect(await usedCredits(billing, 'key-1')).toEqual([2, 2])
    })

    it('does not refund an error passed to next(err) that carries a 4xx status', async () => {
      const handler: RequestHandler = (_req, _res, next) =>
        next(Object.assign(new Error('bad input'), { status: 422 }))
      await call({ refundOnError: true }, handler, 422)
      expect(await usedCredits(billing, 'key-1')).toEqual([2, 2])
    })

    it('does not refund a 500 without the option', async () => {
      await call({}, fail500, 500)
      expect(refunds).toHaveLength(0)
      expect(await usedCredits(billing, 'key-1')).toEqual([2, 2])
    })

    it('refunds at most once, even when the handler already refunded', async () => {
      const ok: RequestHandler = (_req, res) => {
        res.json({})
      }
      await call({ refundOnError: true }, ok, 200)
      const selfRefunding: RequestHandler = async (_req, res) => {
        await billing.refund(getBillingDecision(res) as Decision)
        res.status(500).json({})
      }
      await call({ refundOnError: true }, selfRefunding, 500)
      expect(await Promise.all(refunds)).toEqual([true, false])
      expect(await usedCredits(billing, 'key-1')).toEqual([2, 2])
    })

    it('does not refund an idempotent replay, whose charge belongs to the first request', async () => {
      const server = version.express()
      const options = { clientId: apiKey, cost: 2, refundOnError: true, idempotencyKey: () => 'order-17' }
      server.get('/api/fetch-data', billingMiddleware(billing, options), (req, res) => {
        res.status(req.get('x-fail') === undefined ? 200 : 500).json({})
      })
      await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').expect(200)
      await request(server).get('/api/fetch-data').set('x-api-key', 'key-1').set('x-fail', '1').expect(500)
      await Promise.all(refunds)
      expect(refunds).toHaveLength(0)
      expect(await usedCredits(billing, 'key-1')).toEqual([2, 2])
    })

    it('asks a refund function once the response has ended', async () => {
      const predicate = jest.fn((_req: Request, res: { statusCode: number }) => res.statusCode === 409)
      const handler: RequestHandler = (_req, res) => {
        res.status(409).json({ error: 'conflict' })
      }
      await call({ refundOnError: predicate }, handler, 409)
      expect(predicate).toHaveBeenCalledTimes(1)
      expect(await usedCredits(billing, 'key-1')).toEqual([0, 0])
    })

    it('reports a failed refund to onError instead of crashing', async () => {
      const onError = jest.fn()
      fixture.store.refund = () => Promise.reject(new Error('connection reset'))
      await call({ refundOnError: true, onError }, fail500, 500)
      await new Promise((resolve) => setImmediate(resolve))
      expect(onError).toHaveBeenCalledWith(expect.any(StoreUnavailableError), expect.anything())
    })
  })

  describe('concurrency', () => {
    it('grants exactly the limit to 100 parallel requests on a limit of 40', async () => {
      await billing.updateClientQuotas('busy', [{ duration: 'day', creditLimit: 40 }])
      const server = app().listen(0)
      try {
        const responses = await Promise.all(
          Array.from({ length: 100 }, () => request(server).get('/api/fetch-data').set('x-api-key', 'busy')),
        )
        const statuses = responses.map((r) => r.status)
        expect(statuses.filter((s) => s === 200)).toHaveLength(40)
        expect(statuses.filter((s) => s === 429)).toHaveLength(60)
        expect(await usedCredits(billing, 'busy')).toEqual([40])
      } finally {
        await new Promise((resolve) => server.close(resolve))
      }
    })
  })
})

describe.each(EXPRESS_VERSIONS)('billingMiddleware with the store down ($name)', ({ express }) => {
  let fixture: BillingFixture
  beforeEach(async () => {
    fixture = await billingFixture(new FailingUsageStore())
  })

  function app(options: Partial<BillingMiddlewareOptions>): Express {
    const app = express()
    app.get(
      '/api/fetch-data',
      billingMiddleware(fixture.billing, { clientId: apiKey, ...options }),
      echoDecision,
    )
    return app
  }

  it('answers 503 by default (fail closed)', async () => {
    const res = await request(app({})).get('/api/fetch-data').set('x-api-key', 'key-1').expect(503)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers['retry-after']).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS))
    expect(res.body).toEqual({
      type: 'https://iana.org/assignments/http-problem-types#temporary-reduced-capacity',
      title: 'Temporary reduced capacity',
      status: 503,
      detail: 'Usage cannot be recorded right now; try again shortly.',
      retryAfter: UNAVAILABLE_RETRY_AFTER_SECONDS,
    })
  })

  it('lets the request through uncharged with failOpen, and reports the outage', async () => {
    const onError = jest.fn()
    const res = await request(app({ failOpen: true, onError }))
      .get('/api/fetch-data')
      .set('x-api-key', 'key-1')
      .expect(200)
    expect(res.body).toEqual({ decision: null })
    expect(res.headers.ratelimit).toBeUndefined()
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(StoreUnavailableError)
  })

  it('logs the outage with console.warn when failOpen has no onError', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      await request(app({ failOpen: true }))
        .get('/api/fetch-data')
        .set('x-api-key', 'key-1')
        .expect(200)
      expect(warn).toHaveBeenCalledWith(expect.any(String), expect.any(StoreUnavailableError))
    } finally {
      warn.mockRestore()
    }
  })

  it('still answers 401 and 403 before touching the store', async () => {
    await request(app({ failOpen: true }))
      .get('/api/fetch-data')
      .expect(401)
    await request(app({ failOpen: true }))
      .get('/api/fetch-data')
      .set('x-api-key', 'stranger')
      .expect(403)
    expect((fixture.store as FailingUsageStore).calls).toBe(0)
  })
})

describe('billingMiddleware options', () => {
  let billing: ApiBilling
  beforeEach(async () => {
    ;({ billing } = await billingFixture(new FailingUsageStore()))
  })

  const cases: [string, unknown, RegExp][] = [
    ['no options', undefined, /options must be an object such as \{ clientId/],
    [
      'no clientId',
      {},
      /options\.clientId must be a function returning the caller's client id.*got undefined/,
    ],
    [
      'a negative cost',
      { clientId: apiKey, cost: -1 },
      /options\.cost must be a number of credits ≥ 0.*got -1/,
    ],
    [
      'an infinite cost',
      { clientId: apiKey, cost: Number.POSITIVE_INFINITY },
      /options\.cost .*got Infinity/,
    ],
    [
      'a 2xx insufficientCreditsStatus',
      { clientId: apiKey, insufficientCreditsStatus: 200 },
      /options\.insufficientCreditsStatus must be an HTTP error status from 400 to 599.*got 200/,
    ],
    ['a string cost', { clientId: apiKey, cost: '5' }, /options\.cost .*got "5"/],
    [
      'non-boolean headers',
      { clientId: apiKey, headers: { legacy: 'no' } },
      /options\.headers\.legacy must be true or false/,
    ],
    ['headers not an object', { clientId: apiKey, headers: true }, /options\.headers must be an object/],
    ['a string failOpen', { clientId: apiKey, failOpen: 'yes' }, /options\.failOpen must be true or false/],
    [
      'a numeric refundOnError',
      { clientId: apiKey, refundOnError: 1 },
      /options\.refundOnError must be true, false or a function/,
    ],
    [
      'a string idempotencyKey',
      { clientId: apiKey, idempotencyKey: 'Idempotency-Key' },
      /options\.idempotencyKey must be a function/,
    ],
    ['a non-function onError', { clientId: apiKey, onError: console }, /options\.onError must be a function/],
  ]

  it.each(cases)('explains %s at construction', (_name, options, message) => {
    expect(() => billingMiddleware(billing, options as BillingMiddlewareOptions)).toThrow(TypeError)
    expect(() => billingMiddleware(billing, options as BillingMiddlewareOptions)).toThrow(message)
  })

  it('explains a missing engine', () => {
    expect(() => billingMiddleware({} as ApiBilling, { clientId: apiKey })).toThrow(
      /billingMiddleware: the first argument must be an ApiBilling engine/,
    )
  })
})
