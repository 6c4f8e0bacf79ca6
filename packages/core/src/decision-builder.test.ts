import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import { compilePlan } from './compiled-quota.js'
import { DecisionBuilder } from './decision-builder.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import { QuotaDuration } from './quota-duration.js'
import { ManualClock } from './testing/manual-clock.js'
import { UNLIMITED } from './unlimited.js'

const NOON = Date.parse('2026-11-28T12:00:30Z')
const DECISION_KEYS = [
  'clientId',
  'allowed',
  'cost',
  'remaining',
  'resetAt',
  'at',
  'windows',
  'replayed',
  'chargeId',
  'fromBalance',
  'overage',
  'balance',
  'rejectedBy',
  'spentGrants',
]

describe('DecisionBuilder', () => {
  it('builds a decision whose every field is an own property, so a spread copy and JSON keep them all', () => {
    const snapshot = compilePlan([{ duration: QuotaDuration.MINUTE, creditLimit: 10 }]).snapshotAt(NOON)
    const decision = new DecisionBuilder().build('c', 3, NOON, snapshot, [3], true, false, 'id-1', undefined)
    expect(Object.keys(decision)).toEqual(DECISION_KEYS)
    const copy = { ...decision, clientId: 'other' }
    expect(copy.windows).toBe(decision.windows)
    expect(copy.at.toISOString()).toBe('2026-11-28T12:00:30.000Z')
    expect(JSON.parse(JSON.stringify(decision))).toEqual({
      clientId: 'c',
      allowed: true,
      cost: 3,
      remaining: 7,
      resetAt: '2026-11-28T12:01:00.000Z',
      at: '2026-11-28T12:00:30.000Z',
      windows: [
        {
          duration: 'minute',
          limit: 10,
          used: 3,
          remaining: 7,
          start: '2026-11-28T12:00:00.000Z',
          resetAt: '2026-11-28T12:01:00.000Z',
          overflow: 'reject',
          overageLimit: 0,
        },
      ],
      replayed: false,
      chargeId: 'id-1',
      fromBalance: 0,
      overage: 0,
      spentGrants: [],
    })
  })

  it('shares one read-only `at` between decisions of the same millisecond and makes a new one after', () => {
    const snapshot = compilePlan([{ duration: QuotaDuration.MINUTE, creditLimit: 10 }]).snapshotAt(NOON)
    const builder = new DecisionBuilder()
    const first = builder.build('a', 1, NOON, snapshot, [1], true, false, undefined, undefined)
    const second = builder.build('b', 1, NOON, snapshot, [2], true, false, undefined, undefined)
    const later = builder.build('a', 1, NOON + 1, snapshot, [2], true, false, undefined, undefined)
    expect(second.at).toBe(first.at)
    expect(later.at).not.toBe(first.at)
    expect(later.at.getTime()).toBe(NOON + 1)
    expect(() => first.at.setTime(0)).toThrow(TypeError)
    expect(first.at.getTime()).toBe(NOON)
  })

  it('takes remaining and resetAt from the tightest of several windows, never from an unlimited one', () => {
    const plan = compilePlan([
      { duration: QuotaDuration.SECOND, creditLimit: UNLIMITED },
      { duration: QuotaDuration.HOUR, creditLimit: 100 },
      { duration: QuotaDuration.DAY, creditLimit: 50 },
    ])
    const decision = new DecisionBuilder().build(
      'c',
      5,
      NOON,
      plan.snapshotAt(NOON),
      [5, 98, 5],
      false,
      false,
      undefined,
      undefined,
    )
    expect(decision.windows.map((w) => [w.duration, w.remaining])).toEqual([
      ['second', UNLIMITED],
      ['hour', 2],
      ['day', 45],
    ])
    expect(decision.remaining).toBe(2)
    expect(decision.resetAt.toISOString()).toBe('2026-11-28T13:00:00.000Z')
  })

  it('answers an unlimited-only plan with unlimited remaining and the window’s own reset', () => {
    const snapshot = compilePlan([{ duration: QuotaDuration.MINUTE, creditLimit: UNLIMITED }]).snapshotAt(
      NOON,
    )
    const decision = new DecisionBuilder().build('c', 1, NOON, snapshot, [1], true, false, 'id', undefined)
    expect(decision.remaining).toBe(UNLIMITED)
    expect(decision.resetAt).toBe(snapshot.ends[0])
    expect(decision.windows[0]?.used).toBe(1)
  })

  it('gives the engine’s decisions the same shape whether charged, rejected or read', async () => {
    const clock = new ManualClock('2026-11-28T12:00:30Z')
    const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: clock.now })
    await billing.updateClientQuotas('c', [{ duration: QuotaDuration.MINUTE, creditLimit: 2 }])
    const charged = await billing.tryTrackClientUsage('c', 2)
    const rejected = await billing.tryTrackClientUsage('c', 1)
    const status = await billing.getQuotaStatus('c')
    for (const decision of [charged, rejected, status]) expect(Object.keys(decision)).toEqual(DECISION_KEYS)
    expect(rejected.at).toBe(charged.at)
    expect([charged.allowed, rejected.allowed, status.allowed]).toEqual([true, false, false])
    expect([charged.chargeId === undefined, rejected.chargeId, status.chargeId]).toEqual([
      false,
      undefined,
      undefined,
    ])
  })
})
