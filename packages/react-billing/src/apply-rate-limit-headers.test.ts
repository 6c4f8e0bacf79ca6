/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import { quotaStatusBody, rateLimitHeaders } from '@x/api-billing-core'
import { applyRateLimitHeaders } from './apply-rate-limit-headers.js'
import { AT, dayWindow, decisionOf, monthWindow, overflowing, statusOf } from './test-support/fixtures.js'

const at = Date.parse(AT)
const later = at + 60_000
const laterIso = new Date(later).toISOString()

describe('applyRateLimitHeaders', () => {
  it('reproduces the status the server would send from the headers core writes for it', () => {
    const before = statusOf([dayWindow(500, 10), monthWindow(10_000, 400)])
    // One request later the server's decision charged 1 credit; the app only sees its headers.
    const after = decisionOf([dayWindow(500, 11), monthWindow(10_000, 401)], laterIso)
    const headers = new Headers(rateLimitHeaders(after))

    expect(applyRateLimitHeaders(before, headers, later)).toEqual(quotaStatusBody(after))
  })

  it('marks the status exhausted when the tightest window reaches zero', () => {
    const before = statusOf([dayWindow(500, 499), monthWindow(10_000, 700)])
    const after = decisionOf([dayWindow(500, 500), monthWindow(10_000, 701)], laterIso)

    const next = applyRateLimitHeaders(before, rateLimitHeaders(after), later)

    expect(next).toMatchObject({ allowed: false, remaining: 0, resetAt: '2025-03-10T14:00:00.000Z' })
  })

  it('moves a window that rolled over to its new period', () => {
    const before = statusOf([dayWindow(500, 500)])
    const nextDayAt = '2025-03-10T14:00:05.000Z'
    const after = decisionOf(
      [{ ...dayWindow(500, 1), start: '2025-03-10T14:00:00.000Z', resetAt: '2025-03-11T14:00:00.000Z' }],
      nextDayAt,
    )

    const next = applyRateLimitHeaders(before, rateLimitHeaders(after), Date.parse(nextDayAt))

    expect(next?.windows).toEqual(quotaStatusBody(after).windows)
    expect(next?.allowed).toBe(true)
  })

  it('builds a status from standard headers alone, before any fetch', () => {
    const decision = decisionOf([dayWindow(500, 1)])

    const next = applyRateLimitHeaders(undefined, rateLimitHeaders(decision), at)

    expect(next).toEqual({ ...quotaStatusBody(decision), clientId: '' })
  })

  it('keeps unlimited windows, which the headers do not mention', () => {
    const before = statusOf([dayWindow(500, 10), monthWindow(Number.POSITIVE_INFINITY, 400)])
    const after = decisionOf([dayWindow(500, 12), monthWindow(Number.POSITIVE_INFINITY, 402)], laterIso)

    const next = applyRateLimitHeaders(before, rateLimitHeaders(after), later)

    expect(next?.windows[0]).toMatchObject({ duration: 'day', remaining: 488, used: 12 })
    expect(next?.windows[1]).toEqual(before.windows[1])
  })

  it('falls back to the legacy X-RateLimit headers when the standard ones are switched off', () => {
    const before = statusOf([dayWindow(500, 10), monthWindow(10_000, 400)])
    const after = decisionOf([dayWindow(500, 20), monthWindow(10_000, 410)], laterIso)
    const legacy = rateLimitHeaders(after, { standard: false })

    const next = applyRateLimitHeaders(before, legacy, later)

    expect(next?.windows).toEqual([
      { ...before.windows[0], used: 20, remaining: 480 },
      before.windows[1], // legacy headers describe the tightest window only
    ])
  })

  it('ignores legacy headers whose limit matches no window', () => {
    const before = statusOf([dayWindow(500, 10)])
    const headers = {
      'X-RateLimit-Limit': '42',
      'X-RateLimit-Remaining': '1',
      'X-RateLimit-Reset': '1741615200',
    }

    expect(applyRateLimitHeaders(before, headers, later)).toBeUndefined()
  })

  it('reads plain header objects case-insensitively, as Node and axios give them', () => {
    const before = statusOf([dayWindow(500, 10)])
    const headers = { ratelimit: '"day";r=400;t=3600', 'ratelimit-policy': '"day";q=500;w=86400' }

    expect(applyRateLimitHeaders(before, headers, later)?.windows[0]).toMatchObject({
      remaining: 400,
      used: 100,
    })
  })

  it('sets the balance from a balance item, without taking it for a window', () => {
    const before = statusOf([overflowing(dayWindow(500, 510), 'balance')], AT, 40)
    const headers = {
      RateLimit: '"day";r=0;t=11460, "balance";r=39',
      'RateLimit-Policy': '"day";q=500;w=86400',
    }

    const next = applyRateLimitHeaders(before, headers, later)

    expect(next?.balance).toBe(39)
    expect(next?.windows).toEqual(before.windows) // past the limit, r=0 keeps the known used
    expect(next?.allowed).toBe(true)
  })

  it('applies a balance item alone, and marks a balance window blocked when the balance runs out', () => {
    const before = statusOf([overflowing(dayWindow(500, 520), 'balance')], AT, 1)

    const next = applyRateLimitHeaders(before, { RateLimit: '"balance";r=0' }, later)

    expect(next).toMatchObject({ balance: 0, allowed: false, at: laterIso })
    expect(next?.windows).toEqual(before.windows)
  })

  it('keeps a fractional balance that the whole-credit item agrees with', () => {
    const before = statusOf([overflowing(dayWindow(500, 520), 'balance')], AT, 12.5)
    expect(applyRateLimitHeaders(before, { RateLimit: '"balance";r=12' }, later)?.balance).toBe(12.5)
  })

  it("keeps a window's overflow fields, and counts a 'bill' window past its limit as allowed", () => {
    const before = statusOf([overflowing(dayWindow(500, 499), 'bill', 100)])
    const after = decisionOf([overflowing(dayWindow(500, 560), 'bill', 100)], laterIso)

    const next = applyRateLimitHeaders(before, rateLimitHeaders(after), later)

    expect(next?.windows[0]).toMatchObject({ overflow: 'bill', overageLimit: 100, remaining: 0, used: 500 })
    expect(next?.allowed).toBe(true)
  })

  it.each([
    ['no rate-limit header', {}],
    ['a malformed RateLimit field', { RateLimit: '"day";r=4,' }],
    ['an unknown window name', { RateLimit: '"fortnight";r=4;t=10' }],
    ['a window missing r', { RateLimit: '"day";t=10' }],
    ['a negative remaining', { RateLimit: '"day";r=-1;t=10' }],
  ])('changes nothing for %s', (_name, headers) => {
    expect(applyRateLimitHeaders(statusOf([dayWindow(500, 10)]), headers, later)).toBeUndefined()
  })
})
