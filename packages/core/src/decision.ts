import type { QuotaOverflow } from './quota-definition.js'
import type { QuotaDuration } from './quota-duration.js'

/** One window of a client's plan at the moment of a decision. */
export interface WindowUsage {
  /** Which window this is. */
  readonly duration: QuotaDuration
  /** Credit limit of the window; `UNLIMITED` (`Infinity`) when it never runs out. */
  readonly limit: number
  /** Credits used in the window, including this request's cost when it was allowed. */
  readonly used: number
  /** `max(0, limit - used)`; `UNLIMITED` for an unlimited window. */
  readonly remaining: number
  /**
   * First instant of the window (inclusive). Read-only: the engine shares one such `Date` between all
   * decisions made in the window, so its setters throw a `TypeError`; copy it (`new Date(start)`) to edit.
   */
  readonly start: Date
  /** First instant of the next window (exclusive end of this one): when its credits renew. Read-only, as `start`. */
  readonly resetAt: Date
  /** What a request past `limit` does in this window (the definition's `overflow`; default `'reject'`). */
  readonly overflow: QuotaOverflow
  /**
   * How far `used` may go past `limit`: 0 for `'reject'`, the definition's `overageLimit` for `'bill'`,
   * `UNLIMITED` for `'balance'` (the balance permitting). `used` above `limit` is overage or balance spending.
   */
  readonly overageLimit: number
}

/** Credits one charge took from one prepaid grant. */
export interface SpentGrant {
  readonly grantId: string
  readonly credits: number
}

/**
 * The answer to "may this client spend these credits now?", and the state of every window after it.
 * Returned by `tryTrackClientUsage` and `getQuotaStatus`; carried by `QuotaExceededError`.
 *
 * A decision is plain data: an object literal whose properties (all fourteen, `chargeId` and `balance`
 * included even when `undefined`) are own and enumerable, as are those of each `windows` entry. So `{ ...decision }` copies
 * all of it, `JSON.stringify(decision)` writes all of it (the Dates as ISO strings; `chargeId` is left
 * out when `undefined`), and `structuredClone` and deep equality see what you see. Nothing is computed on
 * read: lazy getters on a class would have saved building `windows` for callers that never read it, but a
 * spread copy or `JSON.stringify` would then silently lose those fields.
 *
 * What keeps it cheap instead: every Date in it is shared and read-only (an `ImmutableDate`, whose setters
 * throw) — `at` by every decision of the same millisecond, `resetAt`, `start` by every decision in the
 * window — so a decision allocates only itself, its `windows` array, their entries and its `chargeId`.
 */
export interface Decision {
  /** The client the decision is about. */
  readonly clientId: string
  /** `true` when the cost fitted every window and was charged to all of them. */
  readonly allowed: boolean
  /** Credits requested (0 for a status read). */
  readonly cost: number
  /** Credits left in the tightest window (fewest remaining; unlimited is never the tightest). */
  readonly remaining: number
  /** When the tightest window renews (that window's `resetAt`: read-only and shared, as there). */
  readonly resetAt: Date
  /**
   * The instant the decision was made, read from the engine's clock. Read-only: shared by every decision
   * the engine makes in the same millisecond, so its setters throw a `TypeError`; copy it to edit.
   */
  readonly at: Date
  /** Every window of the client's plan, shortest duration first. */
  readonly windows: readonly WindowUsage[]
  /**
   * Identifies the charge, present only when credits were actually charged. `refund(decision)` uses it
   * to give the credits back exactly once, even across processes.
   */
  readonly chargeId?: string
  /** `true` when an idempotency key matched an earlier charge and this is that charge's answer. */
  readonly replayed: boolean
  /** Credits of this charge paid from prepaid grants (0 when none were, or when rejected). */
  readonly fromBalance: number
  /** Credits of this charge billed as overage (0 when none were, or when rejected). */
  readonly overage: number
  /**
   * Prepaid credits available after the decision (for a rejected charge or a status read: now); `undefined`
   * when the plan has no window with `overflow: 'balance'`.
   */
  readonly balance: number | undefined
  /**
   * Why the request was refused: `'quota'` when a window had no room, `'balance'` when only the prepaid
   * balance fell short (HTTP 402 rather than 429). `undefined` when allowed.
   */
  readonly rejectedBy: 'quota' | 'balance' | undefined
  /** The grants this charge spent, in spending order (`refund` gives them back); empty when none. */
  readonly spentGrants: readonly SpentGrant[]
}
