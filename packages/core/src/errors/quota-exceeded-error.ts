import type { Decision, WindowUsage } from '../decision.js'
import { compareTightness } from '../tightness.js'
import { isWindowViolated } from '../window-violated.js'
import { BillingError } from './billing-error.js'

/**
 * Thrown by `ApiBilling.trackClientUsage` when a request does not fit in every window. Nothing was
 * charged. Carries frappy's fields (`quotaRemaining`, `quotaRenew`) and what an HTTP answer needs.
 * HTTP 429.
 */
export class QuotaExceededError extends BillingError {
  readonly code: string = 'QUOTA_EXCEEDED'
  readonly status: number = 429
  /** The full decision, with every window's limit, used, remaining and reset time. */
  readonly decision: Decision
  /** Credits left in the tightest violated window. */
  readonly quotaRemaining: number
  /** When the last violated window renews: retrying before then cannot succeed. */
  readonly quotaRenew: Date
  /** Whole seconds from the decision until `quotaRenew`, rounded up (never earlier than the reset). */
  readonly retryAfterSeconds: number
  /** The violated window with the fewest credits left. */
  readonly window: WindowUsage
  /** Every window that could not take the cost. */
  readonly violatedWindows: readonly WindowUsage[]

  constructor(decision: Decision) {
    const over = decision.windows.filter((w) => isWindowViolated(w, decision.cost))
    const violated = over.length > 0 ? over : decision.windows
    const tightest = violated.reduce((a, b) => (compareTightness(b, a) < 0 ? b : a))
    const renew = violated.reduce((a, b) => (b.resetAt > a.resetAt ? b : a)).resetAt
    super(
      `Quota exceeded for client "${decision.clientId}": ${decision.cost} credit(s) requested, ` +
        `${tightest.remaining} left in the ${tightest.duration} window, renews at ${renew.toISOString()}`,
    )
    this.decision = decision
    this.violatedWindows = violated
    this.window = tightest
    this.quotaRemaining = tightest.remaining
    this.quotaRenew = renew
    this.retryAfterSeconds = Math.max(0, Math.ceil((renew.getTime() - decision.at.getTime()) / 1000))
  }
}
