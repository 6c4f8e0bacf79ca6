import type { Decision, WindowUsage } from '../decision.js'
import { compareTightness } from '../tightness.js'

/**
 * The decision's limited windows ordered tightest first by {@link compareTightness} (fewest credits
 * remaining, then the one that renews first, then the shorter duration). Unlimited windows are left out:
 * they advertise no limit.
 */
export function tightestFirst(decision: Decision): WindowUsage[] {
  return decision.windows.filter((w) => w.limit !== Number.POSITIVE_INFINITY).sort(compareTightness)
}

/** Whole seconds from the decision until `at`, rounded up, never negative. */
export function secondsUntil(decision: Decision, at: Date): number {
  return Math.max(0, Math.ceil((at.getTime() - decision.at.getTime()) / 1000))
}
