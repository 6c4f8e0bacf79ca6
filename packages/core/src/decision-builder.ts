import type { PlanWindows } from './compiled-quota.js'
import { type CreditScale, WHOLE_CREDITS } from './credit-scale.js'
import type { Decision, SpentGrant, WindowUsage } from './decision.js'
import { ImmutableDate } from './immutable-date.js'
import { tightestWindow } from './tightness.js'
import { UNLIMITED } from './unlimited.js'
import type { CreditOutcome, StoreWindow } from './usage-store.js'

/** The grants spent by a decision that spent none: one shared, frozen empty list. */
const NONE_SPENT: readonly SpentGrant[] = Object.freeze([])

/** A decision's credit fields, in credits; `rejectedBy` only read for a rejected decision. */
interface CreditFields {
  readonly fromBalance: number
  readonly overage: number
  readonly balance: number | undefined
  readonly rejectedBy: 'quota' | 'balance'
  readonly spentGrants: readonly SpentGrant[]
}

/** The credit fields of a plan without overflow windows: shared, nothing to compute. */
const NO_CREDIT: CreditFields = Object.freeze({
  fromBalance: 0,
  overage: 0,
  balance: undefined,
  rejectedBy: 'quota',
  spentGrants: NONE_SPENT,
})

/** The credit fields of a store's credit outcome. */
function creditFields(credit: CreditOutcome, scale: CreditScale): CreditFields {
  return {
    fromBalance: scale.toCredits(credit.fromBalance),
    overage: scale.toCredits(credit.overage),
    balance: credit.balance === undefined ? undefined : scale.toCredits(credit.balance),
    rejectedBy: credit.rejectedBy ?? 'quota',
    spentGrants: credit.spent.length === 0 ? NONE_SPENT : spentGrants(credit, scale),
  }
}

/**
 * Builds an engine's decisions from a plan's windows and the store's answer: one decision object per
 * request, its window entries in one pass, and nothing else that a decision does not hold (hot path:
 * plain loops, no closures, fixed shapes).
 *
 * The instant of a decision is a read-only `Date` shared by every decision made in the same millisecond
 * (the window bounds are shared the same way, by the plan's snapshot): under load a decision allocates
 * no `Date` at all, where a new one per request cost about a fifth of a memory-store charge.
 */
export class DecisionBuilder {
  /** The millisecond {@link lastAt} stands for; `NaN` until the first decision. */
  private lastAtMs = Number.NaN
  private lastAt: Date = new ImmutableDate(0)

  /** Decisions speak credits; the store's numbers are `scale` units (default whole credits). */
  constructor(private readonly scale: CreditScale = WHOLE_CREDITS) {}

  /**
   * The decision about `clientId` at `atMs` (epoch ms) for the windows of `snapshot`, given each
   * window's `used` (in the snapshot's order, in stored units). `chargeId` only when credits were charged;
   * `credit` only for a plan with overflow windows. `cost` is in credits, as asked.
   */
  build(
    clientId: string,
    cost: number,
    atMs: number,
    snapshot: PlanWindows,
    used: readonly number[],
    allowed: boolean,
    replayed: boolean,
    chargeId: string | undefined,
    credit: CreditOutcome | undefined,
  ): Decision {
    const { scale } = this
    const at = atMs === this.lastAtMs ? this.lastAt : this.instant(atMs)
    let windows: WindowUsage[]
    let tightest: WindowUsage
    if (snapshot.windows.length === 1) {
      // One window, the common plan: it is the tightest whatever it holds.
      tightest = windowUsage(snapshot, used, 0, scale)
      windows = [tightest]
    } else {
      windows = windowUsages(snapshot, used, scale)
      tightest = tightestWindow(windows) ?? (windows[0] as WindowUsage)
    }
    // The one shape of every decision: all fourteen properties, own and enumerable, in this order
    // (`chargeId` and `balance` present even when `undefined`), so the code reading decisions stays
    // monomorphic. An object literal: the same fields set by a class constructor measured a seventh
    // slower per memory-store charge (Node 20). Without overflow windows the credit fields come from one
    // shared constant, which keeps this function small enough for V8 to inline.
    const c = credit === undefined ? NO_CREDIT : creditFields(credit, scale)
    return {
      clientId,
      allowed,
      cost,
      remaining: tightest.remaining,
      resetAt: tightest.resetAt,
      at,
      windows,
      replayed,
      chargeId,
      fromBalance: c.fromBalance,
      overage: c.overage,
      balance: c.balance,
      rejectedBy: allowed ? undefined : c.rejectedBy,
      spentGrants: c.spentGrants,
    }
  }

  /** The shared read-only `Date` of `atMs`, made when the clock has moved on since the last decision. */
  private instant(atMs: number): Date {
    this.lastAtMs = atMs
    this.lastAt = new ImmutableDate(atMs)
    return this.lastAt
  }
}

/** Every window's entry, in the snapshot's order. */
function windowUsages(snapshot: PlanWindows, used: readonly number[], scale: CreditScale): WindowUsage[] {
  const count = snapshot.windows.length
  const usage: WindowUsage[] = new Array(count)
  for (let i = 0; i < count; i++) usage[i] = windowUsage(snapshot, used, i, scale)
  return usage
}

/**
 * The entry of the snapshot's `i`-th window: always the same eight properties in the same order. Whole
 * credits (the default scale) take the short way: no division, small enough for V8 to inline.
 */
function windowUsage(
  snapshot: PlanWindows,
  used: readonly number[],
  i: number,
  scale: CreditScale,
): WindowUsage {
  const w = snapshot.windows[i] as StoreWindow
  const u = used[i] ?? 0
  const overflow = w.overflow
  if (overflow === undefined && scale.factor === 1) {
    return {
      duration: w.duration,
      limit: w.limit,
      used: u,
      remaining: Math.max(0, w.limit - u),
      start: snapshot.starts[i] as Date,
      resetAt: snapshot.ends[i] as Date,
      overflow: 'reject',
      overageLimit: 0,
    }
  }
  return scaledWindowUsage(snapshot, w, u, i, scale)
}

/** {@link windowUsage} for a window that overflows, or under a `creditScale`. */
function scaledWindowUsage(
  snapshot: PlanWindows,
  w: StoreWindow,
  u: number,
  i: number,
  scale: CreditScale,
): WindowUsage {
  const overflow = w.overflow ?? 'reject'
  return {
    duration: w.duration,
    limit: scale.toCredits(w.limit),
    used: scale.toCredits(u),
    remaining: scale.toCredits(Math.max(0, w.limit - u)),
    start: snapshot.starts[i] as Date,
    resetAt: snapshot.ends[i] as Date,
    overflow,
    overageLimit: overflow === 'reject' ? 0 : scale.toCredits(w.overageLimit ?? UNLIMITED),
  }
}

/** The grants a charge spent, in credits. */
function spentGrants(credit: CreditOutcome, scale: CreditScale): SpentGrant[] {
  return credit.spent.map((s) => ({ grantId: s.grantId, credits: scale.toCredits(s.credits) }))
}
