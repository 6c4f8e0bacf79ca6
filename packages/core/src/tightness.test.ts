import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import { rateLimitHeaders } from './http/rate-limit-headers.js'
import { tightestFirst } from './http/tightest-first.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import { QuotaDuration } from './quota-duration.js'
import { ManualClock } from './testing/manual-clock.js'
import { compareTightness, tightestWindow } from './tightness.js'
import { UNLIMITED } from './unlimited.js'

const at = (iso: string) => new Date(iso)

describe('the tightness rule', () => {
  it('prefers fewer remaining credits over an earlier reset', () => {
    const a = { duration: QuotaDuration.DAY, remaining: 3, resetAt: at('2026-01-02T00:00:00Z') }
    const b = { duration: QuotaDuration.MINUTE, remaining: 4, resetAt: at('2026-01-01T00:01:00Z') }
    expect(tightestWindow([b, a])).toBe(a)
  })

  it('breaks a tie in remaining credits by the window that renews first', () => {
    const hour = { duration: QuotaDuration.HOUR, remaining: 5, resetAt: at('2026-01-01T01:00:00Z') }
    const minute = { duration: QuotaDuration.MINUTE, remaining: 5, resetAt: at('2026-01-01T01:30:00Z') }
    expect(tightestWindow([minute, hour])).toBe(hour)
    expect(compareTightness(hour, minute)).toBeLessThan(0)
  })

  it('breaks a tie in remaining and reset by the shorter duration', () => {
    const resetAt = at('2026-01-01T00:00:00Z')
    const day = { duration: QuotaDuration.DAY, remaining: 0, resetAt }
    const hour = { duration: QuotaDuration.HOUR, remaining: 0, resetAt }
    expect(tightestWindow([day, hour])).toBe(hour)
    expect([day, hour].sort(compareTightness)).toEqual([hour, day])
  })

  it('never names an unlimited window', () => {
    const free = { duration: QuotaDuration.SECOND, remaining: UNLIMITED, resetAt: at('2026-01-01T00:00:01Z') }
    expect(tightestWindow([free])).toBeUndefined()
  })

  it('makes the decision, the header order and the legacy headers name the same window on a tie', async () => {
    // At 00:59 on Jan 31 an hour window (renews 01:00) and a day window (renews Feb 1) both have 2 left.
    const clock = new ManualClock('2026-01-31T00:59:00Z')
    const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: clock.now })
    await billing.updateClientQuotas('c', [
      { duration: QuotaDuration.DAY, creditLimit: 10 },
      { duration: QuotaDuration.HOUR, creditLimit: 2 },
      { duration: QuotaDuration.MONTH, creditLimit: 2 },
    ])
    const decision = await billing.getQuotaStatus('c')
    // hour and month both have 2 left; the hour renews first.
    expect(decision.resetAt.toISOString()).toBe('2026-01-31T01:00:00.000Z')
    expect(tightestFirst(decision).map((w) => w.duration)).toEqual(['hour', 'month', 'day'])
    const headers = rateLimitHeaders(decision)
    expect(headers.RateLimit?.startsWith('"hour";r=2;')).toBe(true)
    expect(headers['X-RateLimit-Reset']).toBe(String(Date.parse('2026-01-31T01:00:00Z') / 1000))
  })
})
