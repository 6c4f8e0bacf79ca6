import type { Decision, WindowUsage } from '../decision.js'
import { QUOTA_DURATIONS } from '../quota-duration.js'

/**
 * The decision's limited windows ordered tightest first: fewest credits remaining, then the one that
 * renews first. Unlimited windows are left out: they advertise no limit.
 */
export function tightestFirst(decision: Decision): WindowUsage[] {
  return decision.windows
    .filter((w) => w.limit !== Number.POSITIVE_INFINITY)
    .sort(
      (a, b) =>
        a.remaining - b.remaining ||
        a.resetAt.getTime() - b.resetAt.getTime() ||
        QUOTA_DURATIONS.indexOf(a.duration) - QUOTA_DURATIONS.indexOf(b.duration),
    )
}

/** Whole seconds from the decision until `at`, rounded up, never negative. */
export function secondsUntil(decision: Decision, at: Date): number {
  return Math.max(0, Math.ceil((at.getTime() - decision.at.getTime()) / 1000))
}
