import type { Decision, WindowUsage } from '../decision.js'
import { compareTightness } from '../tightness.js'

/**
 * The decision's windows that the `RateLimit` headers advertise, ordered tightest first by
 * {@link compareTightness} (fewest credits remaining, then the one that renews first, then the shorter
 * duration). Left out: unlimited windows, which advertise no limit, and prepaid windows without included
 * credits (`creditLimit: 0`, `overflow: 'balance'`), which never refuse by themselves: their `q=0` and
 * `r=0` would tell a client to stop while its requests succeed; the `"balance"` item is their limit.
 */
export function tightestFirst(decision: Decision): WindowUsage[] {
  return decision.windows.filter(isAdvertised).sort(compareTightness)
}

function isAdvertised(w: WindowUsage): boolean {
  return w.limit !== Number.POSITIVE_INFINITY && !(w.overflow === 'balance' && w.limit === 0)
}

/** Whole seconds from the decision until `at`, rounded up, never negative. */
export function secondsUntil(decision: Decision, at: Date): number {
  return Math.max(0, Math.ceil((at.getTime() - decision.at.getTime()) / 1000))
}
