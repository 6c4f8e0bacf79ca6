import { describe, expect, it } from '@jest/globals'
import { parseList } from 'structured-headers'
import { ApiBilling } from '../api-billing.js'
import { InsufficientCreditsError } from '../errors/insufficient-credits-error.js'
import { MemoryUsageStore } from '../memory-usage-store.js'
import type { QuotaDefinition } from '../quota-definition.js'
import { ManualClock } from '../testing/manual-clock.js'
import { billingErrorProblem, insufficientCreditsProblem, quotaExceededProblem } from './problem-details.js'
import { quotaStatusBody } from './quota-status-body.js'
import { rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers.js'

const AT = '2026-11-28T12:00:00Z'

async function billingWith(plan: QuotaDefinition[], creditScale?: number) {
  const billing = new ApiBilling({
    store: new MemoryUsageStore(),
    clock: new ManualClock(AT).now,
    ...(creditScale === undefined ? {} : { creditScale }),
  })
  await billing.updateClientQuotas('c', plan)
  return billing
}

function parse(field: string | undefined) {
  return parseList(field ?? '').map(([name, params]) => [name, Object.fromEntries(params)])
}

const PREPAID: QuotaDefinition[] = [{ duration: 'month', creditLimit: 0, overflow: 'balance' }]

describe('headers of a plan with a prepaid balance', () => {
  it('adds a "balance" item without t, and leaves out a window with no included credits', async () => {
    const billing = await billingWith([
      { duration: 'minute', creditLimit: 10 },
      { duration: 'month', creditLimit: 0, overflow: 'balance' },
    ])
    await billing.grantCredits('c', 50)
    const headers = rateLimitHeaders(await billing.tryTrackClientUsage('c', 3))
    expect(parse(headers.RateLimit)).toEqual([
      ['minute', { r: 7, t: 60 }],
      ['balance', { r: 47 }],
    ])
    expect(parse(headers['RateLimit-Policy'])).toEqual([
      ['minute', { q: 10, w: 60 }],
      ['balance', { q: 47 }],
    ])
  })

  it('keeps a prepaid window with included credits, counting only those in its r', async () => {
    const billing = await billingWith([{ duration: 'day', creditLimit: 5, overflow: 'balance' }])
    await billing.grantCredits('c', 20)
    const headers = rateLimitHeaders(await billing.tryTrackClientUsage('c', 8))
    expect(parse(headers.RateLimit)).toEqual([
      ['day', { r: 0, t: 12 * 3600 }],
      ['balance', { r: 17 }],
    ])
  })

  it('counts the balance in X-RateLimit-Remaining of a prepaid window, never "0 remaining" while served', async () => {
    const billing = await billingWith(PREPAID)
    await billing.grantCredits('c', 50)
    const decision = await billing.tryTrackClientUsage('c', 3)
    expect(decision.allowed).toBe(true)
    expect(rateLimitHeaders(decision)).toMatchObject({
      'X-RateLimit-Limit': '0',
      'X-RateLimit-Remaining': '47',
      'X-RateLimit-Reset': String(Date.parse('2026-12-01T00:00:00Z') / 1000),
    })
  })

  it('rounds remaining credits and the balance down, limits as configured (floored)', async () => {
    const billing = await billingWith(
      [
        { duration: 'minute', creditLimit: 2.75 },
        { duration: 'month', creditLimit: 0, overflow: 'balance' },
      ],
      1000,
    )
    await billing.grantCredits('c', 3.75)
    const decision = await billing.tryTrackClientUsage('c', 0.5)
    expect(decision).toMatchObject({ balance: 3.25, fromBalance: 0.5 })
    expect(decision.windows[0]?.remaining).toBe(2.25)
    const headers = rateLimitHeaders(decision)
    expect(parse(headers.RateLimit)).toEqual([
      ['minute', { r: 2, t: 60 }],
      ['balance', { r: 3 }],
    ])
    expect(parse(headers['RateLimit-Policy'])).toEqual([
      ['minute', { q: 2, w: 60 }],
      ['balance', { q: 3 }],
    ])
    expect(headers['X-RateLimit-Limit']).toBe('2')
    expect(headers['X-RateLimit-Remaining']).toBe('2')
  })

  it('sends no Retry-After when only the balance fell short', async () => {
    const billing = await billingWith(PREPAID)
    await billing.grantCredits('c', 2)
    const rejected = await billing.tryTrackClientUsage('c', 3)
    expect(rejected.rejectedBy).toBe('balance')
    expect(retryAfterSeconds(rejected)).toBe(0)
    expect(rateLimitHeaders(rejected)['Retry-After']).toBeUndefined()
    expect(parse(rateLimitHeaders(rejected).RateLimit)).toEqual([['balance', { r: 2 }]])
  })
})

describe('the 402 problem body', () => {
  it('names the credits needed and available, and the "balance" policy, never the client id', async () => {
    const billing = await billingWith([{ duration: 'day', creditLimit: 5, overflow: 'balance' }])
    await billing.grantCredits('c', 2)
    await billing.tryTrackClientUsage('c', 4)
    const rejected = await billing.tryTrackClientUsage('c', 4)
    const problem = insufficientCreditsProblem({ ...rejected, clientId: 'sk_live_secret' })
    expect(problem).toEqual({
      type: 'urn:api-billing:problem:insufficient-credits',
      title: 'Insufficient credits',
      status: 402,
      detail: '3 credit(s) needed from the prepaid balance, 2 available',
      'violated-policies': ['balance'],
      cost: 4,
      needed: 3,
      available: 2,
    })
    expect(JSON.stringify(problem)).not.toContain('sk_live_secret')
    expect(billingErrorProblem(new InsufficientCreditsError(rejected))).toEqual({ ...problem })
  })
})

describe("a 'bill' window", () => {
  const BILLED: QuotaDefinition[] = [
    { duration: 'minute', creditLimit: 100 },
    { duration: 'day', creditLimit: 5, overflow: 'bill', overageLimit: 3 },
  ]

  it('is violated only past limit + overageLimit; Retry-After waits for it alone', async () => {
    const billing = await billingWith(BILLED)
    expect((await billing.tryTrackClientUsage('c', 7)).overage).toBe(2)
    const rejected = await billing.tryTrackClientUsage('c', 2)
    expect(rejected.rejectedBy).toBe('quota')
    const problem = quotaExceededProblem(rejected)
    expect(problem['violated-policies']).toEqual(['day'])
    expect(retryAfterSeconds(rejected)).toBe(12 * 3600)
    expect(rateLimitHeaders(rejected)['Retry-After']).toBe(String(12 * 3600))
  })

  it('shows overflow and overageLimit in the status body, null when unlimited', async () => {
    const billing = await billingWith([{ duration: 'day', creditLimit: 5, overflow: 'bill' }])
    await billing.tryTrackClientUsage('c', 7)
    const body = quotaStatusBody(await billing.getQuotaStatus('c'))
    expect(body.windows).toEqual([
      expect.objectContaining({ limit: 5, used: 7, remaining: 0, overflow: 'bill', overageLimit: null }),
    ])
    expect(body.balance).toBeNull()
  })
})

describe('quotaStatusBody with a balance', () => {
  it('carries the balance and the windows’ overflow', async () => {
    const billing = await billingWith(PREPAID)
    await billing.grantCredits('c', 12)
    const body = quotaStatusBody(await billing.getQuotaStatus('c'))
    expect(body.balance).toBe(12)
    expect(body.windows[0]).toMatchObject({ limit: 0, overflow: 'balance', overageLimit: null })
  })
})
