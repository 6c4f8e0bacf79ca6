import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { QuotaExceededError } from './errors/quota-exceeded-error.js'
import { StoreUnavailableError } from './errors/store-unavailable-error.js'
import { UnknownClientError } from './errors/unknown-client-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'
import { QuotaDuration } from './quota-duration.js'
import { ManualClock } from './testing/manual-clock.js'
import { UNLIMITED } from './unlimited.js'
import type { UsageStore } from './usage-store.js'

const PLAN: QuotaDefinition[] = [
  { duration: QuotaDuration.MINUTE, creditLimit: 10 },
  { duration: QuotaDuration.DAY, creditLimit: 100 },
  { duration: QuotaDuration.MONTH, creditLimit: UNLIMITED },
]

async function setup(start = '2026-06-15T10:00:30Z', plan = PLAN) {
  const clock = new ManualClock(start)
  const store = new MemoryUsageStore()
  const billing = new ApiBilling({ store, clock: clock.now })
  await billing.updateClientQuotas('c', plan)
  return { clock, store, billing }
}

describe('ApiBilling charging', () => {
  it('charges every window and reports the tightest one overall', async () => {
    const { billing } = await setup()
    const decision = await billing.tryTrackClientUsage('c', 4)
    expect(decision.allowed).toBe(true)
    expect(decision.windows.map((w) => [w.duration, w.used, w.remaining])).toEqual([
      ['minute', 4, 6],
      ['day', 4, 96],
      ['month', 4, UNLIMITED],
    ])
    expect(decision.remaining).toBe(6)
    expect(decision.resetAt.toISOString()).toBe('2026-06-15T10:01:00.000Z')
    expect(decision.chargeId).toEqual(expect.any(String))
  })

  it('charges 1 credit by default', async () => {
    const { billing } = await setup()
    expect((await billing.tryTrackClientUsage('c')).windows[0]?.used).toBe(1)
  })

  it('never picks an unlimited window as the tightest', async () => {
    const { billing } = await setup(undefined, [
      { duration: 'minute', creditLimit: UNLIMITED },
      { duration: 'day', creditLimit: 50 },
    ])
    const decision = await billing.tryTrackClientUsage('c', 10)
    expect(decision.remaining).toBe(40)
    expect(decision.resetAt.toISOString()).toBe('2026-06-16T00:00:00.000Z')
  })

  it('reports UNLIMITED overall when every window is unlimited', async () => {
    const { billing } = await setup(undefined, [{ duration: 'day', creditLimit: UNLIMITED }])
    expect((await billing.tryTrackClientUsage('c', 1_000)).remaining).toBe(UNLIMITED)
  })

  it('answers a rejection with the state of every window and charges nothing', async () => {
    const { billing } = await setup()
    await billing.tryTrackClientUsage('c', 8)
    const decision = await billing.tryTrackClientUsage('c', 3)
    expect(decision.allowed).toBe(false)
    expect(decision.chargeId).toBeUndefined()
    expect(decision.windows.map((w) => w.used)).toEqual([8, 8, 8])
    expect(await billing.getTotalUsage('c')).toBe(8)
  })

  it('throws QuotaExceededError with frappy’s fields from trackClientUsage', async () => {
    const { billing } = await setup()
    await billing.trackClientUsage('c', 10)
    const error = await billing.trackClientUsage('c', 1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuotaExceededError)
    const exceeded = error as QuotaExceededError
    expect(exceeded.quotaRemaining).toBe(0)
    expect(exceeded.quotaRenew.toISOString()).toBe('2026-06-15T10:01:00.000Z')
    expect(exceeded.retryAfterSeconds).toBe(30)
    expect(exceeded.window.duration).toBe('minute')
    expect(exceeded.status).toBe(429)
  })

  it('renews the minute window while the day keeps counting', async () => {
    const { billing, clock } = await setup()
    await billing.trackClientUsage('c', 10)
    clock.advance(30_000)
    const decision = await billing.trackClientUsage('c', 10)
    expect(decision.windows.map((w) => w.used)).toEqual([10, 20, 20])
  })

  it('replays an idempotent charge with the same charge id and refunds it once', async () => {
    const { billing } = await setup()
    const first = await billing.tryTrackClientUsage('c', 3, { idempotencyKey: 'req-1' })
    const again = await billing.tryTrackClientUsage('c', 3, { idempotencyKey: 'req-1' })
    expect(again.replayed).toBe(true)
    expect(again.chargeId).toBe(first.chargeId)
    expect(await billing.refund(again)).toBe(true)
    expect(await billing.refund(first)).toBe(false)
    expect(await billing.getTotalUsage('c')).toBe(0)
    const retried = await billing.tryTrackClientUsage('c', 3, { idempotencyKey: 'req-1' })
    expect(retried.replayed).toBe(false)
    expect(await billing.getTotalUsage('c')).toBe(3)
  })

  it('refunds part of a charge when asked, and not more than was charged', async () => {
    const { billing } = await setup()
    const decision = await billing.trackClientUsage('c', 5)
    await expect(billing.refund(decision, { credits: 6 })).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(await billing.refund(decision, { credits: 2 })).toBe(true)
    expect((await billing.getQuotaStatus('c')).windows[0]?.used).toBe(3)
  })

  it('does not refund a rejected decision', async () => {
    const { billing } = await setup()
    const rejected = await billing.tryTrackClientUsage('c', 11)
    expect(await billing.refund(rejected)).toBe(false)
  })

  it('reads the status without charging', async () => {
    const { billing } = await setup()
    await billing.trackClientUsage('c', 10)
    const status = await billing.getQuotaStatus('c')
    expect(status.allowed).toBe(false)
    expect(status.cost).toBe(0)
    expect(await billing.getTotalUsage('c')).toBe(10)
  })
})

describe('ApiBilling plans', () => {
  it('applies a replaced plan on the next request and keeps usage', async () => {
    const { billing } = await setup()
    await billing.trackClientUsage('c', 10)
    await billing.updateClientQuotas('c', [{ duration: 'minute', creditLimit: 20 }])
    const decision = await billing.trackClientUsage('c', 5)
    expect(decision.windows.map((w) => [w.duration, w.used, w.limit])).toEqual([['minute', 15, 20]])
  })

  it('forgets a removed client', async () => {
    const { billing } = await setup()
    expect(await billing.removeClient('c')).toBe(true)
    await expect(billing.tryTrackClientUsage('c')).rejects.toBeInstanceOf(UnknownClientError)
    expect(billing.getClientQuotas('c')).toBeUndefined()
  })

  it('rejects an unknown client with a 403-mapped error', async () => {
    const { billing } = await setup()
    const error = await billing.tryTrackClientUsage('stranger').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnknownClientError)
    expect((error as UnknownClientError).status).toBe(403)
  })

  it.each([
    [[], 'definitions'],
    [
      [
        { duration: 'day', creditLimit: 1 },
        { duration: 'day', creditLimit: 2 },
      ],
      'definitions',
    ],
    [[{ duration: 'day', creditLimit: -5 }], 'definitions[0].creditLimit'],
    [[{ duration: 'day', creditLimit: 5, timeZone: 'Nowhere/Land' }], 'definitions[0].timeZone'],
    [[{ duration: 'days', creditLimit: 5 }], 'definitions[0].duration'],
    ['day', 'definitions'],
  ])('rejects the plan %p naming %s and keeps the old one', async (plan, argument) => {
    const { billing } = await setup()
    await expect(billing.updateClientQuotas('c', plan as QuotaDefinition[])).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      argument,
    })
    expect(billing.getClientQuotas('c')).toHaveLength(3)
  })
})

describe('ApiBilling input validation', () => {
  it.each([
    [-1, 'cannot be negative'],
    [Number.NaN, 'finite number'],
    [Number.POSITIVE_INFINITY, 'finite number'],
    [1.5, 'whole numbers'],
    ['3', 'finite number'],
  ])('rejects a cost of %p and charges nothing', async (cost, message) => {
    const { billing } = await setup()
    await expect(billing.tryTrackClientUsage('c', cost as number)).rejects.toThrow(message)
    expect(await billing.getTotalUsage('c')).toBe(0)
  })

  it.each([[''], [undefined], [42]])('rejects the client id %p', async (id) => {
    const { billing } = await setup()
    await expect(billing.tryTrackClientUsage(id as string)).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('rejects an empty idempotency key', async () => {
    const { billing } = await setup()
    await expect(billing.tryTrackClientUsage('c', 1, { idempotencyKey: '' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
  })

  it('rejects bad report ranges and time zones', async () => {
    const { billing } = await setup()
    const from = new Date('2026-06-01T00:00:00Z')
    await expect(billing.getDailyUsage('c', from, new Date('2026-05-01T00:00:00Z'))).rejects.toMatchObject({
      argument: 'to',
    })
    await expect(billing.getDailyUsage('c', from, new Date('2046-06-01T00:00:00Z'))).rejects.toMatchObject({
      argument: 'to',
    })
    await expect(billing.getDailyUsage('c', from, new Date(Number.NaN))).rejects.toMatchObject({
      argument: 'to',
    })
    await expect(
      billing.getDailyUsage('c', from, new Date('2026-06-02T00:00:00Z'), { timeZone: 'Europe/Atlantis' }),
    ).rejects.toMatchObject({ argument: 'options.timeZone' })
  })

  it('rejects a missing store at construction', () => {
    expect(() => new ApiBilling({} as never)).toThrow(/options\.store/)
  })
})

describe('ApiBilling with a failing store', () => {
  it('turns an unexpected store error into StoreUnavailableError with the cause', async () => {
    const broken = new MemoryUsageStore()
    const cause = new Error('connection reset')
    const store: UsageStore = Object.assign(broken, {
      charge: () => Promise.reject(cause),
      chargeSync: undefined,
    })
    const billing = new ApiBilling({ store })
    await billing.updateClientQuotas('c', PLAN)
    const error = await billing.tryTrackClientUsage('c').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect((error as StoreUnavailableError).cause).toBe(cause)
  })

  it('rejects (never throws) with StoreUnavailableError when a synchronous store throws', async () => {
    const cause = new Error('out of memory')
    const store: UsageStore = Object.assign(new MemoryUsageStore(), {
      chargeSync: () => {
        throw cause
      },
    })
    const billing = new ApiBilling({ store })
    await billing.updateClientQuotas('c', PLAN)
    const answer = billing.tryTrackClientUsage('c')
    await expect(answer).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(answer).rejects.toMatchObject({ cause })
  })
})

describe('ApiBilling reports', () => {
  it('reports daily usage in the requested zone with empty days as 0', async () => {
    const { billing, clock } = await setup('2026-06-15T23:30:00Z')
    await billing.trackClientUsage('c', 2) // June 16 in Berlin, June 15 in UTC
    clock.set('2026-06-17T12:00:00Z')
    await billing.trackClientUsage('c', 3)
    const range = [new Date('2026-06-15T00:00:00Z'), new Date('2026-06-18T00:00:00Z')] as const
    expect(await billing.getDailyUsage('c', ...range)).toEqual([
      { date: '2026-06-15', credits: 2, fromBalance: 0, overage: 0 },
      { date: '2026-06-16', credits: 0, fromBalance: 0, overage: 0 },
      { date: '2026-06-17', credits: 3, fromBalance: 0, overage: 0 },
    ])
    expect((await billing.getDailyUsage('c', ...range, { timeZone: 'Europe/Berlin' })).slice(0, 3)).toEqual([
      { date: '2026-06-15', credits: 0, fromBalance: 0, overage: 0 },
      { date: '2026-06-16', credits: 2, fromBalance: 0, overage: 0 },
      { date: '2026-06-17', credits: 3, fromBalance: 0, overage: 0 },
    ])
  })

  it('deletes usage in a range or all of it', async () => {
    const { billing, clock } = await setup()
    await billing.trackClientUsage('c', 2)
    clock.advance(86_400_000)
    await billing.trackClientUsage('c', 3)
    await billing.deleteClientUsage('c', new Date('2026-06-16T00:00:00Z'), new Date('2026-06-17T00:00:00Z'))
    expect(await billing.getTotalUsage('c')).toBe(2)
    await billing.deleteClientUsage('c')
    expect(await billing.getTotalUsage('c')).toBe(0)
  })

  it('purges usage older than the retention period', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z')
    const billing = new ApiBilling({
      store: new MemoryUsageStore(),
      clock: clock.now,
      retentionMs: 86_400_000,
    })
    await billing.updateClientQuotas('c', PLAN)
    await billing.trackClientUsage('c', 2)
    clock.advance(2 * 86_400_000)
    await billing.trackClientUsage('c', 3)
    await billing.purge()
    expect(await billing.getTotalUsage('c')).toBe(3)
  })
})
