import { describe, expect, it, jest } from '@jest/globals'
import { ApiBilling, type ApiBillingOptions } from './api-billing.js'
import type { LowBalanceEvent, ThresholdEvent } from './credit-alerts.js'
import { InsufficientCreditsError } from './errors/insufficient-credits-error.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { QuotaExceededError } from './errors/quota-exceeded-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'
import { QuotaDuration } from './quota-duration.js'
import { ManualClock } from './testing/manual-clock.js'

const NOW = '2026-03-10T12:00:00Z'
const HOUR = 3_600_000
const PREPAID: QuotaDefinition[] = [{ duration: QuotaDuration.MONTH, creditLimit: 0, overflow: 'balance' }]

function engine(definitions: QuotaDefinition[] = PREPAID, options: Partial<ApiBillingOptions> = {}) {
  const clock = new ManualClock(NOW)
  const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: clock.now, ...options })
  return { billing, clock, ready: billing.updateClientQuotas('c', definitions) }
}

/** Lets queued alert handlers run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('ApiBilling credits: grants and the balance', () => {
  it('grants credits and reports them as the balance, pending and expired grants apart', async () => {
    const { billing, clock, ready } = engine()
    await ready
    const now = clock.now()
    const a = await billing.grantCredits('c', 100, {
      note: 'welcome',
      expiresAt: new Date(now.getTime() + HOUR),
    })
    await billing.grantCredits('c', 50, { effectiveAt: new Date(now.getTime() + 2 * HOUR) })
    expect(a).toEqual({
      id: expect.stringMatching(/^grant_/),
      credits: 100,
      remaining: 100,
      effectiveAt: now,
      expiresAt: new Date(now.getTime() + HOUR),
      grantedAt: now,
      note: 'welcome',
    })
    expect((await billing.getBalance('c')).available).toBe(100)
    expect((await billing.getBalance('c')).grants.map((g) => g.credits)).toEqual([100, 50])
    clock.advance(2 * HOUR)
    expect(await billing.getBalance('c')).toEqual({
      available: 50,
      grants: [expect.objectContaining({ credits: 50 })],
    })
  })

  it('spends the balance past the allowance and says so in the decision', async () => {
    const { billing, ready } = engine([{ duration: QuotaDuration.DAY, creditLimit: 10, overflow: 'balance' }])
    await ready
    const grant = await billing.grantCredits('c', 20)
    const within = await billing.tryTrackClientUsage('c', 8)
    expect([within.allowed, within.fromBalance, within.balance, within.spentGrants]).toEqual([
      true,
      0,
      20,
      [],
    ])
    const over = await billing.tryTrackClientUsage('c', 5)
    expect(over).toMatchObject({ allowed: true, fromBalance: 3, overage: 0, balance: 17, remaining: 0 })
    expect(over.spentGrants).toEqual([{ grantId: grant.id, credits: 3 }])
    expect(over.windows[0]).toMatchObject({ used: 13, limit: 10, overflow: 'balance' })
    expect(await billing.getUsageSummary('c')).toEqual({ credits: 13, fromBalance: 3, overage: 0 })
  })

  it('refuses what the balance cannot cover with rejectedBy "balance" and a 402 error, changing nothing', async () => {
    const { billing, ready } = engine()
    await ready
    await billing.grantCredits('c', 5)
    const refused = await billing.tryTrackClientUsage('c', 6)
    expect(refused).toMatchObject({ allowed: false, rejectedBy: 'balance', balance: 5, fromBalance: 0 })
    const error = await billing.trackClientUsage('c', 6).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InsufficientCreditsError)
    expect(error).toBeInstanceOf(QuotaExceededError)
    expect(error).toMatchObject({ status: 402, code: 'INSUFFICIENT_CREDITS', needed: 6, available: 5 })
    expect((await billing.getBalance('c')).available).toBe(5)
    expect(await billing.getUsageSummary('c')).toEqual({ credits: 0, fromBalance: 0, overage: 0 })
  })

  it('refuses by quota (429) when a rejecting window is full, whatever the balance', async () => {
    const { billing, ready } = engine([
      { duration: QuotaDuration.MINUTE, creditLimit: 2 },
      { duration: QuotaDuration.MONTH, creditLimit: 0, overflow: 'balance' },
    ])
    await ready
    await billing.grantCredits('c', 100)
    await billing.trackClientUsage('c', 2)
    const error = await billing.trackClientUsage('c', 1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuotaExceededError)
    expect(error).not.toBeInstanceOf(InsufficientCreditsError)
    expect((error as QuotaExceededError).window.duration).toBe('minute')
  })

  it('bills overage up to overageLimit and refuses past it, naming the bill window as violated', async () => {
    const { billing, ready } = engine([
      { duration: QuotaDuration.MONTH, creditLimit: 10, overflow: 'bill', overageLimit: 5 },
    ])
    await ready
    expect((await billing.tryTrackClientUsage('c', 12)).overage).toBe(2)
    expect((await billing.tryTrackClientUsage('c', 3)).overage).toBe(3)
    const error = (await billing.trackClientUsage('c', 1).catch((e: unknown) => e)) as QuotaExceededError
    expect(error).toBeInstanceOf(QuotaExceededError)
    expect(error.violatedWindows.map((w) => w.duration)).toEqual(['month'])
    expect(await billing.getUsageSummary('c')).toEqual({ credits: 15, fromBalance: 0, overage: 5 })
    expect((await billing.getQuotaStatus('c')).allowed).toBe(false)
  })

  it('refunds the overflow first, to the grants spent last first', async () => {
    const { billing, clock, ready } = engine([
      { duration: QuotaDuration.DAY, creditLimit: 4, overflow: 'balance' },
    ])
    await ready
    const soon = await billing.grantCredits('c', 3, { expiresAt: new Date(clock.now().getTime() + HOUR) })
    const later = await billing.grantCredits('c', 10)
    const decision = await billing.trackClientUsage('c', 10)
    expect(decision.spentGrants).toEqual([
      { grantId: soon.id, credits: 3 },
      { grantId: later.id, credits: 3 },
    ])
    expect(await billing.refund(decision, { credits: 4 })).toBe(true)
    const balance = await billing.getBalance('c')
    expect(balance.grants.map((g) => [g.id, g.remaining])).toEqual([
      [soon.id, 1],
      [later.id, 10],
    ])
    expect(await billing.getUsageSummary('c')).toEqual({ credits: 6, fromBalance: 2, overage: 0 })
    expect(await billing.refund(decision)).toBe(false)
  })

  it('voids a grant: its rest is no longer available', async () => {
    const { billing, ready } = engine()
    await ready
    const grant = await billing.grantCredits('c', 10)
    await billing.trackClientUsage('c', 4)
    expect(await billing.voidGrant('c', grant.id)).toBe(true)
    expect(await billing.voidGrant('c', grant.id)).toBe(false)
    expect(await billing.getBalance('c')).toEqual({ available: 0, grants: [] })
    expect((await billing.tryTrackClientUsage('c', 1)).rejectedBy).toBe('balance')
  })

  it('makes an idempotent grant once', async () => {
    const { billing, ready } = engine()
    await ready
    const first = await billing.grantCredits('c', 10, { idempotencyKey: 'invoice-7' })
    expect(await billing.grantCredits('c', 10, { idempotencyKey: 'invoice-7' })).toEqual(first)
    expect((await billing.getBalance('c')).available).toBe(10)
  })

  it('status reads report the balance and whether one more credit fits, without spending', async () => {
    const { billing, ready } = engine()
    await ready
    expect(await billing.getQuotaStatus('c')).toMatchObject({
      allowed: false,
      balance: 0,
      rejectedBy: 'balance',
    })
    await billing.grantCredits('c', 1)
    expect(await billing.getQuotaStatus('c')).toMatchObject({
      allowed: true,
      balance: 1,
      rejectedBy: undefined,
    })
    expect((await billing.getBalance('c')).available).toBe(1)
  })

  it('reports daily usage with fromBalance and overage', async () => {
    const { billing, clock, ready } = engine([
      { duration: QuotaDuration.DAY, creditLimit: 2, overflow: 'balance' },
    ])
    await ready
    await billing.grantCredits('c', 10)
    await billing.trackClientUsage('c', 5)
    const day = new Date('2026-03-10T00:00:00Z')
    expect(await billing.getDailyUsage('c', day, new Date(day.getTime() + 1))).toEqual([
      { date: '2026-03-10', credits: 5, fromBalance: 3, overage: 0 },
    ])
    expect(clock.now().toISOString()).toBe('2026-03-10T12:00:00.000Z')
  })
})

describe('ApiBilling credits: configuration and input errors', () => {
  it.each([
    [
      'mixing balance and bill',
      [
        { duration: QuotaDuration.DAY, creditLimit: 1, overflow: 'balance' },
        { duration: QuotaDuration.MONTH, creditLimit: 1, overflow: 'bill' },
      ],
    ],
    [
      'an overage limit on a rejecting window',
      [{ duration: QuotaDuration.DAY, creditLimit: 1, overageLimit: 5 }],
    ],
    ['an unknown overflow', [{ duration: QuotaDuration.DAY, creditLimit: 1, overflow: 'borrow' }]],
    [
      'a negative overage limit',
      [{ duration: QuotaDuration.DAY, creditLimit: 1, overflow: 'bill', overageLimit: -1 }],
    ],
  ])('rejects a plan with %s', async (_, plan) => {
    const { billing } = engine()
    await expect(billing.updateClientQuotas('x', plan as QuotaDefinition[])).rejects.toThrow(
      InvalidArgumentError,
    )
  })

  it.each([
    [0, 'at least'],
    [-5, 'negative'],
    [Number.NaN, 'finite'],
    [1.5, 'whole'],
  ])('rejects a grant of %p credits', async (credits, message) => {
    const { billing } = engine()
    await expect(billing.grantCredits('c', credits)).rejects.toThrow(message)
  })

  it('rejects a grant that expires before it starts, bad dates and bad notes', async () => {
    const { billing } = engine()
    const at = new Date(NOW)
    await expect(billing.grantCredits('c', 1, { expiresAt: at })).rejects.toThrow('after effectiveAt')
    await expect(billing.grantCredits('c', 1, { effectiveAt: new Date(Number.NaN) })).rejects.toThrow(
      InvalidArgumentError,
    )
    await expect(billing.grantCredits('c', 1, { note: 'x'.repeat(1001) })).rejects.toThrow(
      InvalidArgumentError,
    )
    await expect(billing.grantCredits('c', 1, { idempotencyKey: '' })).rejects.toThrow(InvalidArgumentError)
    await expect(billing.voidGrant('c', '')).rejects.toThrow(InvalidArgumentError)
  })

  it('rejects a bad creditScale and alert options', () => {
    const store = new MemoryUsageStore()
    expect(() => new ApiBilling({ store, creditScale: 0.5 })).toThrow(InvalidArgumentError)
    expect(() => new ApiBilling({ store, alerts: { thresholds: [0] } })).toThrow(InvalidArgumentError)
    expect(() => new ApiBilling({ store, alerts: { lowBalance: -1 } })).toThrow(InvalidArgumentError)
    expect(() => new ApiBilling({ store, alerts: { onThreshold: 'x' as never } })).toThrow(
      InvalidArgumentError,
    )
  })
})

describe('ApiBilling credits: creditScale', () => {
  it('charges, limits and grants fractional credits exactly under creditScale 1000', async () => {
    const { billing, ready } = engine(
      [{ duration: QuotaDuration.DAY, creditLimit: 2.5, overflow: 'balance' }],
      {
        creditScale: 1000,
      },
    )
    await ready
    await billing.grantCredits('c', 0.3)
    for (let i = 0; i < 5; i++) expect((await billing.tryTrackClientUsage('c', 0.5)).allowed).toBe(true)
    const over = await billing.tryTrackClientUsage('c', 0.1)
    expect(over).toMatchObject({ allowed: true, fromBalance: 0.1, balance: 0.2, remaining: 0 })
    expect(over.windows[0]).toMatchObject({ used: 2.6, limit: 2.5 })
    expect(await billing.getTotalUsage('c')).toBe(2.6)
    expect((await billing.tryTrackClientUsage('c', 0.3)).rejectedBy).toBe('balance')
    await expect(billing.tryTrackClientUsage('c', 0.0001)).rejects.toThrow('finer than')
  })

  it('keeps whole credits by default and says how to allow fractions', async () => {
    const { billing, ready } = engine([{ duration: QuotaDuration.DAY, creditLimit: 10 }])
    await ready
    await expect(billing.tryTrackClientUsage('c', 0.5)).rejects.toThrow('creditScale')
  })
})

describe('ApiBilling credits: alerts', () => {
  function alerting(definitions: QuotaDefinition[], lowBalance?: number) {
    const thresholds: ThresholdEvent[] = []
    const low: LowBalanceEvent[] = []
    const errors: unknown[] = []
    const setup = engine(definitions, {
      alerts: {
        thresholds: [0.8, 1],
        onThreshold: (e) => void thresholds.push(e),
        ...(lowBalance === undefined ? {} : { lowBalance }),
        onLowBalance: (e) => void low.push(e),
        onError: (e) => void errors.push(e),
      },
    })
    return { ...setup, thresholds, low, errors }
  }

  it('fires each threshold once, on the charge that crosses it, after the answer', async () => {
    const { billing, ready, thresholds } = alerting([{ duration: QuotaDuration.DAY, creditLimit: 10 }])
    await ready
    await billing.trackClientUsage('c', 7)
    const crossing = await billing.trackClientUsage('c', 4).catch(() => undefined)
    expect(crossing).toBeUndefined()
    await billing.trackClientUsage('c', 3)
    expect(thresholds).toEqual([])
    await flush()
    expect(thresholds.map((e) => [e.threshold, e.used, e.limit])).toEqual([
      [0.8, 10, 10],
      [1, 10, 10],
    ])
    await billing.tryTrackClientUsage('c', 1)
    await flush()
    expect(thresholds).toHaveLength(2)
    expect(thresholds[0]).toMatchObject({
      clientId: 'c',
      duration: 'day',
      windowStart: new Date('2026-03-10T00:00:00Z'),
    })
  })

  it('fires again after a refund brings usage back below the line', async () => {
    const { billing, ready, thresholds } = alerting([{ duration: QuotaDuration.DAY, creditLimit: 10 }])
    await ready
    const decision = await billing.trackClientUsage('c', 8)
    await billing.refund(decision)
    await billing.trackClientUsage('c', 8)
    await flush()
    expect(thresholds.map((e) => e.threshold)).toEqual([0.8, 0.8])
  })

  it('fires the low-balance alert once when a charge takes the balance to or below the line', async () => {
    const { billing, ready, low } = alerting(PREPAID, 5)
    await ready
    await billing.grantCredits('c', 10)
    await billing.trackClientUsage('c', 4)
    await billing.trackClientUsage('c', 1)
    await billing.trackClientUsage('c', 1)
    await flush()
    expect(low.map((e) => [e.available, e.lowBalance])).toEqual([[5, 5]])
  })

  it('hands handler errors and rejections to onError without failing the request', async () => {
    const onError = jest.fn()
    const { billing, ready } = engine([{ duration: QuotaDuration.DAY, creditLimit: 1 }], {
      alerts: {
        thresholds: [0.5, 1],
        onThreshold: (e) => {
          if (e.threshold === 1) return Promise.reject(new Error('async'))
          throw new Error('sync')
        },
        onError,
      },
    })
    await ready
    expect((await billing.trackClientUsage('c', 1)).allowed).toBe(true)
    await flush()
    expect(onError.mock.calls.map(([e]) => (e as Error).message).sort()).toEqual(['async', 'sync'])
  })

  it('does not fire for replays or refused charges', async () => {
    const { billing, ready, thresholds } = alerting([{ duration: QuotaDuration.DAY, creditLimit: 10 }])
    await ready
    await billing.trackClientUsage('c', 9, { idempotencyKey: 'k' })
    await billing.trackClientUsage('c', 9, { idempotencyKey: 'k' })
    await billing.tryTrackClientUsage('c', 5)
    await flush()
    expect(thresholds.map((e) => e.threshold)).toEqual([0.8])
  })
})

describe('ApiBilling.exportUsage', () => {
  it('exports every client per day with fromBalance and overage, in credits under the scale', async () => {
    const { billing, ready } = engine(PREPAID, { creditScale: 10 })
    await ready
    await billing.updateClientQuotas('d', [{ duration: QuotaDuration.DAY, creditLimit: 1, overflow: 'bill' }])
    await billing.grantCredits('c', 5)
    await billing.trackClientUsage('c', 1.5)
    await billing.trackClientUsage('d', 2.5)
    const rows = []
    for await (const row of billing.exportUsage({
      from: new Date('2026-03-10T00:00:00Z'),
      to: new Date('2026-03-11T00:00:00Z'),
    })) {
      rows.push(row)
    }
    expect(rows).toEqual([
      {
        clientId: 'c',
        start: new Date('2026-03-10T00:00:00Z'),
        end: new Date('2026-03-11T00:00:00Z'),
        credits: 1.5,
        fromBalance: 1.5,
        overage: 0,
      },
      {
        clientId: 'd',
        start: new Date('2026-03-10T00:00:00Z'),
        end: new Date('2026-03-11T00:00:00Z'),
        credits: 2.5,
        fromBalance: 0,
        overage: 1.5,
      },
    ])
  })
})
