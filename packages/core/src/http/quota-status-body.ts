import type { Decision, WindowUsage } from '../decision.js'
import type { QuotaOverflow } from '../quota-definition.js'
import type { QuotaDuration } from '../quota-duration.js'

/** One window as JSON: numbers, ISO-8601 instants, and `null` for unlimited. */
export interface QuotaWindowJson {
  readonly duration: QuotaDuration
  /** Credit limit; `null` when unlimited. */
  readonly limit: number | null
  /** Credits used in the window; above `limit` when the window overflowed into the balance or overage. */
  readonly used: number
  /** Credits left of `limit` (never negative); `null` when unlimited. */
  readonly remaining: number | null
  /** ISO-8601 start of the window. */
  readonly start: string
  /** ISO-8601 instant at which the window's credits renew. */
  readonly resetAt: string
  /** What a request past `limit` does: `'reject'`, `'balance'` (paid from prepaid credits) or `'bill'`. */
  readonly overflow: QuotaOverflow
  /**
   * How far `used` may go past `limit`: 0 for `'reject'`, the configured overage limit for `'bill'`;
   * `null` when unlimited (always for `'balance'`, which only the balance bounds).
   */
  readonly overageLimit: number | null
}

/**
 * The JSON a status route sends and `<QuotaMeter>` renders: a client's windows, the tightest
 * remaining and reset, and the server's clock (so a viewer with a wrong clock still counts down right).
 */
export interface QuotaStatusBody {
  readonly clientId: string
  /** Whether one more credit would be accepted now (for a charge: whether it was accepted). */
  readonly allowed: boolean
  /** Credits left in the tightest window; `null` when every window is unlimited. */
  readonly remaining: number | null
  /** ISO-8601 instant the tightest window renews. */
  readonly resetAt: string
  /** ISO-8601 instant the status was read on the server. */
  readonly at: string
  /** Every window, shortest duration first. */
  readonly windows: readonly QuotaWindowJson[]
  /**
   * Prepaid credits available (after the charge, for a charge); `null` when the plan has no window with
   * `overflow: 'balance'`.
   */
  readonly balance: number | null
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null
}

/** One window of a decision as JSON. */
export function quotaWindowJson(w: WindowUsage): QuotaWindowJson {
  return {
    duration: w.duration,
    limit: finiteOrNull(w.limit),
    used: w.used,
    remaining: finiteOrNull(w.remaining),
    start: w.start.toISOString(),
    resetAt: w.resetAt.toISOString(),
    overflow: w.overflow,
    overageLimit: finiteOrNull(w.overageLimit),
  }
}

/** A decision as the JSON body of a status route. */
export function quotaStatusBody(decision: Decision): QuotaStatusBody {
  return {
    clientId: decision.clientId,
    allowed: decision.allowed,
    remaining: finiteOrNull(decision.remaining),
    resetAt: decision.resetAt.toISOString(),
    at: decision.at.toISOString(),
    windows: decision.windows.map(quotaWindowJson),
    balance: decision.balance ?? null,
  }
}
