import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { ApiBilling } from './api-billing.js'
import type { Decision } from './decision.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'
import { ManualClock } from './testing/manual-clock.js'

/**
 * Property test of credits: random grants (with expiry and later starts), voids, charges, refunds and
 * clock moves against a reference model written without core's rule, for a plan that overflows into the
 * balance and one that bills overage. Every decision, the balance and the usage summary must match.
 */

const START = Date.UTC(2026, 5, 15, 10, 0, 0)
const MINUTE = 60_000
const DAY = 86_400_000

type Action =
  | { kind: 'grant'; credits: number; expiresIn: number | undefined; startsIn: number }
  | { kind: 'void'; pick: number }
  | { kind: 'track'; cost: number }
  | { kind: 'refund'; pick: number; part: number }
  | { kind: 'clock'; ms: number }

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('grant' as const),
    credits: fc.integer({ min: 1, max: 8 }),
    expiresIn: fc.option(fc.integer({ min: 1, max: 40 * MINUTE }), { nil: undefined }),
    startsIn: fc.constantFrom(0, 0, 0, 5 * MINUTE),
  }),
  fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('track' as const), cost: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('track' as const), cost: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 0, max: 6 }) }),
  fc.record({
    kind: fc.constant('clock' as const),
    ms: fc.constantFrom(1_000, 7 * MINUTE, 3 * 3_600_000, DAY),
  }),
)

interface ModelGrant {
  id: string
  credits: number
  remaining: number
  effectiveAt: number
  expiresAt: number | undefined
  grantedAt: number
  order: number
  voided: boolean
}

/** The model: day window counts by day start, grants, ledger sums. */
class Model {
  readonly days = new Map<number, number>()
  readonly grants: ModelGrant[] = []
  credits = 0
  fromBalance = 0
  overage = 0

  constructor(
    readonly limit: number,
    readonly mode: 'balance' | 'bill',
    readonly overageLimit: number,
  ) {}

  live(now: number): ModelGrant[] {
    return this.grants
      .filter(
        (g) =>
          !g.voided &&
          g.remaining > 0 &&
          g.effectiveAt <= now &&
          (g.expiresAt === undefined || now < g.expiresAt),
      )
      .sort(
        (a, b) =>
          (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) ||
          a.grantedAt - b.grantedAt ||
          (a.id < b.id ? -1 : 1),
      )
  }

  available(now: number): number {
    return this.live(now).reduce((s, g) => s + g.remaining, 0)
  }

  track(now: number, cost: number) {
    const day = Math.floor(now / DAY) * DAY
    const used = this.days.get(day) ?? 0
    const excess = Math.min(cost, Math.max(0, used + cost - this.limit))
    if (this.mode === 'bill') {
      if (used + cost > this.limit + this.overageLimit)
        return { allowed: false, used, fromBalance: 0, overage: 0, spent: [] }
    } else if (excess > this.available(now))
      return { allowed: false, used, fromBalance: 0, overage: 0, spent: [] }
    const spent: { grantId: string; credits: number }[] = []
    if (this.mode === 'balance') {
      let left = excess
      for (const g of this.live(now)) {
        const take = Math.min(left, g.remaining)
        if (take > 0) spent.push({ grantId: g.id, credits: take })
        g.remaining -= take
        left -= take
      }
    }
    this.days.set(day, used + cost)
    this.credits += cost
    const fromBalance = this.mode === 'balance' ? excess : 0
    const overage = this.mode === 'bill' ? excess : 0
    this.fromBalance += fromBalance
    this.overage += overage
    return { allowed: true, used: used + cost, fromBalance, overage, spent }
  }

  refund(now: number, decision: Decision, part: number): void {
    const day = decision.windows[0]?.start.getTime() as number
    this.days.set(day, Math.max(0, (this.days.get(day) ?? 0) - part))
    this.credits -= part
    const overage = Math.min(decision.overage, part)
    this.overage -= overage
    let back = Math.min(decision.fromBalance, part)
    this.fromBalance -= back
    for (const s of [...decision.spentGrants].reverse()) {
      const take = Math.min(back, s.credits)
      back -= take
      const g = this.grants.find((x) => x.id === s.grantId) as ModelGrant
      if (!g.voided && (g.expiresAt === undefined || now < g.expiresAt))
        g.remaining = Math.min(g.credits, g.remaining + take)
    }
  }
}

async function run(plan: QuotaDefinition, model: Model, actions: Action[]): Promise<void> {
  const clock = new ManualClock(new Date(START))
  const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: clock.now })
  await billing.updateClientQuotas('c', [plan])
  const decisions: { decision: Decision; refunded: boolean }[] = []
  let order = 0
  for (const a of actions) {
    const now = clock.now().getTime()
    if (a.kind === 'clock') clock.advance(a.ms)
    else if (a.kind === 'grant') {
      const g = await billing.grantCredits('c', a.credits, {
        effectiveAt: new Date(now + a.startsIn),
        ...(a.expiresIn === undefined ? {} : { expiresAt: new Date(now + a.startsIn + a.expiresIn) }),
      })
      model.grants.push({
        ...g,
        effectiveAt: now + a.startsIn,
        expiresAt: g.expiresAt?.getTime(),
        grantedAt: now,
        order: order++,
        voided: false,
      })
    } else if (a.kind === 'void' && model.grants.length > 0) {
      const g = model.grants[a.pick % model.grants.length] as ModelGrant
      expect(await billing.voidGrant('c', g.id)).toBe(!g.voided)
      g.voided = true
    } else if (a.kind === 'track') {
      const expected = model.track(now, a.cost)
      const decision = await billing.tryTrackClientUsage('c', a.cost)
      expect({
        allowed: decision.allowed,
        used: decision.windows[0]?.used,
        fromBalance: decision.fromBalance,
        overage: decision.overage,
        spent: decision.spentGrants,
      }).toEqual(expected)
      if (model.mode === 'balance') expect(decision.balance).toBe(model.available(now))
      if (decision.chargeId !== undefined) decisions.push({ decision, refunded: false })
    } else if (a.kind === 'refund' && decisions.length > 0) {
      const entry = decisions[a.pick % decisions.length] as { decision: Decision; refunded: boolean }
      const part = Math.min(a.part, entry.decision.cost)
      const applied = await billing.refund(entry.decision, { credits: part })
      expect(applied).toBe(!entry.refunded && part > 0)
      if (applied) {
        entry.refunded = true
        model.refund(now, entry.decision, part)
      }
    }
    const at = clock.now().getTime()
    expect((await billing.getBalance('c')).available).toBe(model.available(at))
  }
  expect(await billing.getUsageSummary('c')).toEqual({
    credits: model.credits,
    fromBalance: model.fromBalance,
    overage: model.overage,
  })
}

describe('ApiBilling credits against a reference model', () => {
  it('overflowing into the balance: every decision, balance and summary match', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(action, { maxLength: 40 }),
        (limit, actions) =>
          run(
            { duration: 'day', creditLimit: limit, overflow: 'balance' },
            new Model(limit, 'balance', Infinity),
            actions,
          ),
      ),
      { numRuns: 150 },
    )
  })

  it('billing overage: every decision and the summary match, never past the overage limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(action, { maxLength: 40 }),
        (limit, over, actions) =>
          run(
            { duration: 'day', creditLimit: limit, overflow: 'bill', overageLimit: over },
            new Model(limit, 'bill', over),
            actions,
          ),
      ),
      { numRuns: 150 },
    )
  })
})
