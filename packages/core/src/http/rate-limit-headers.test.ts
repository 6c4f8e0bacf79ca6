import { describe, expect, it } from '@jest/globals'
import { parseList } from 'structured-headers'
import { ApiBilling } from '../api-billing.js'
import { StoreUnavailableError } from '../errors/store-unavailable-error.js'
import { UnknownClientError } from '../errors/unknown-client-error.js'
import { MemoryUsageStore } from '../memory-usage-store.js'
import type { QuotaDefinition } from '../quota-definition.js'
import { ManualClock } from '../testing/manual-clock.js'
import { UNLIMITED } from '../unlimited.js'
import {
  billingErrorProblem,
  quotaExceededProblem,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from './problem-details.js'
import { quotaStatusBody } from './quota-status-body.js'
import { legacyRateLimitHeaders, rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers.js'

const PLAN: QuotaDefinition[] = [
  { duration: 'minute', creditLimit: 10 },
  { duration: 'day', creditLimit: 500 },
  { duration: 'month', creditLimit: 10_000, startDate: new Date('2026-01-31T00:00:00Z') },
  { duration: 'year', creditLimit: UNLIMITED },
]

async function billingAt(at: string) {
  const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: new ManualClock(at).now })
  await billing.updateClientQuotas('c', PLAN)
  return billing
}

/** Parses a structured-field list into `[name, { param: value }]` pairs with a real SF parser. */
function parse(field: string | undefined) {
  return parseList(field ?? '').map(([name, params]) => [name, Object.fromEntries(params)])
}

describe('rateLimitHeaders', () => {
  it('writes draft-09 RateLimit-Policy and RateLimit, tightest first, unlimited left out', async () => {
    const billing = await billingAt('2026-11-28T23:59:00Z')
    const decision = await billing.tryTrackClientUsage('c', 4)
    const headers = rateLimitHeaders(decision)
    expect(parse(headers['RateLimit-Policy'])).toEqual([
      ['minute', { q: 10, w: 60 }],
      ['day', { q: 500, w: 86_400 }],
      ['month', { q: 10_000, w: 30 * 86_400 }],
    ])
    expect(parse(headers.RateLimit)).toEqual([
      ['minute', { r: 6, t: 60 }],
      ['day', { r: 496, t: 60 }],
      ['month', { r: 9_996, t: 86_400 + 60 }],
    ])
  })

  it('orders by remaining credits, not by duration', async () => {
    const clock = new ManualClock('2026-11-28T12:00:00Z')
    const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: clock.now })
    await billing.updateClientQuotas('c', [
      { duration: 'minute', creditLimit: 100 },
      { duration: 'day', creditLimit: 20 },
    ])
    const headers = rateLimitHeaders(await billing.tryTrackClientUsage('c', 5))
    expect(parse(headers.RateLimit).map(([name]) => name)).toEqual(['day', 'minute'])
    expect(headers['X-RateLimit-Limit']).toBe('20')
  })

  it('writes frappy’s legacy headers for the tightest window, reset in epoch seconds', async () => {
    const billing = await billingAt('2026-11-28T12:00:30Z')
    const decision = await billing.tryTrackClientUsage('c', 4)
    expect(legacyRateLimitHeaders(decision)).toEqual({
      'X-RateLimit-Limit': '10',
      'X-RateLimit-Remaining': '6',
      'X-RateLimit-Reset': String(Date.parse('2026-11-28T12:01:00Z') / 1000),
    })
  })

  it('switches either set off', async () => {
    const decision = await (await billingAt('2026-11-28T12:00:00Z')).tryTrackClientUsage('c')
    expect(Object.keys(rateLimitHeaders(decision, { legacy: false }))).toEqual([
      'RateLimit-Policy',
      'RateLimit',
    ])
    expect(Object.keys(rateLimitHeaders(decision, { standard: false }))).toEqual([
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ])
  })

  it('adds Retry-After for a rejection: until the last violated window renews', async () => {
    const billing = await billingAt('2026-11-28T23:59:30.200Z')
    await billing.tryTrackClientUsage('c', 10)
    const rejected = await billing.tryTrackClientUsage('c', 1)
    expect(rejected.allowed).toBe(false)
    expect(retryAfterSeconds(rejected)).toBe(30)
    expect(rateLimitHeaders(rejected)['Retry-After']).toBe('30')
  })

  it('adds no Retry-After to a status read, even when exhausted', async () => {
    const billing = await billingAt('2026-11-28T12:00:00Z')
    await billing.tryTrackClientUsage('c', 10)
    const status = await billing.getQuotaStatus('c')
    expect(status.allowed).toBe(false)
    expect(rateLimitHeaders(status)['Retry-After']).toBeUndefined()
  })

  it('writes nothing for a plan with only unlimited windows', async () => {
    const billing = new ApiBilling({ store: new MemoryUsageStore() })
    await billing.updateClientQuotas('c', [{ duration: 'day', creditLimit: UNLIMITED }])
    expect(rateLimitHeaders(await billing.tryTrackClientUsage('c'))).toEqual({})
  })
})

describe('problem bodies', () => {
  it("describes a 429 with the draft's problem type, violated policies, remaining, cost and renew time", async () => {
    const billing = await billingAt('2026-11-28T12:00:30Z')
    await billing.tryTrackClientUsage('c', 8)
    const problem = quotaExceededProblem(await billing.tryTrackClientUsage('c', 5))
    expect(problem).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      'violated-policies': ['minute'],
      title: 'Quota exceeded',
      status: 429,
      cost: 5,
      remaining: 2,
      renewAt: '2026-11-28T12:01:00.000Z',
      retryAfter: 30,
      violatedWindows: [{ duration: 'minute', limit: 10, used: 8, remaining: 2 }],
    })
    expect(JSON.parse(JSON.stringify(problem))).toEqual(problem)
  })

  it('names only policies that appear in the RateLimit header, tightest first there too', async () => {
    const billing = await billingAt('2026-11-28T12:00:30Z')
    await billing.tryTrackClientUsage('c', 10)
    const decision = await billing.tryTrackClientUsage('c', 1)
    const named = rateLimitHeaders(decision)
      .RateLimit?.split(', ')
      .map((item) => item.split(';')[0])
    for (const policy of quotaExceededProblem(decision)['violated-policies']) {
      expect(named).toContain(`"${policy}"`)
    }
  })

  it('never echoes the client id, which is often the API key itself', async () => {
    const billing = await billingAt('2026-11-28T12:00:30Z')
    const decision = await billing.tryTrackClientUsage('c', 11)
    const secret = { ...decision, clientId: 'sk_live_secret' }
    expect(JSON.stringify(quotaExceededProblem(secret))).not.toContain('sk_live_secret')
    expect(JSON.stringify(billingErrorProblem(new UnknownClientError('sk_live_secret')))).not.toContain(
      'sk_live_secret',
    )
  })

  it('maps errors to 403 and 503 bodies without leaking store internals', () => {
    expect(billingErrorProblem(new UnknownClientError('k'))).toMatchObject({
      status: 403,
      title: 'Unknown client',
    })
    const outage = billingErrorProblem(new StoreUnavailableError('connect ECONNREFUSED 10.0.0.7:5432'))
    expect(outage).toMatchObject({
      status: 503,
      type: 'https://iana.org/assignments/http-problem-types#temporary-reduced-capacity',
      retryAfter: UNAVAILABLE_RETRY_AFTER_SECONDS,
    })
    expect(outage.detail).not.toContain('10.0.0.7')
  })
})

describe('quotaStatusBody', () => {
  it('renders unlimited as null and instants as ISO strings', async () => {
    const billing = await billingAt('2026-11-28T12:00:00Z')
    const body = quotaStatusBody(await billing.getQuotaStatus('c'))
    expect(body.windows[3]).toEqual({
      duration: 'year',
      limit: null,
      used: 0,
      remaining: null,
      start: '2026-01-01T00:00:00.000Z',
      resetAt: '2027-01-01T00:00:00.000Z',
      overflow: 'reject',
      overageLimit: 0,
    })
    expect(body).toMatchObject({
      clientId: 'c',
      allowed: true,
      remaining: 10,
      at: '2026-11-28T12:00:00.000Z',
      balance: null,
    })
  })
})
