import type { Decision } from '../decision.js'
import type { BillingError } from '../errors/billing-error.js'
import { creditsNeeded, InsufficientCreditsError } from '../errors/insufficient-credits-error.js'
import { QuotaExceededError } from '../errors/quota-exceeded-error.js'
import { type QuotaWindowJson, quotaWindowJson } from './quota-status-body.js'
import { BALANCE_POLICY, retryAfterSeconds } from './rate-limit-headers.js'

/** Media type of a problem body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** An RFC 9457 problem body. Extension members are allowed. */
export interface ProblemDetails {
  /** URI identifying the problem type. */
  readonly type: string
  /** Short, human-readable summary of the type. */
  readonly title: string
  /** The HTTP status code. */
  readonly status: number
  /** Human-readable explanation of this occurrence. */
  readonly detail?: string
  readonly [extension: string]: unknown
}

/** The problem body of a `429`: violated windows, remaining credits, cost and renew time. */
export interface QuotaExceededProblem extends ProblemDetails {
  /**
   * The names of the quota policies that were exceeded, as they appear in `RateLimit-Policy` and
   * `RateLimit` (the window's duration, e.g. `"minute"`): the member the ratelimit-headers draft defines.
   */
  readonly 'violated-policies': readonly string[]
  /** Credits requested by the rejected call. */
  readonly cost: number
  /** Credits left in the tightest violated window. */
  readonly remaining: number
  /** ISO-8601 instant when the last violated window renews. */
  readonly renewAt: string
  /** Seconds until `renewAt`, as in `Retry-After`. */
  readonly retryAfter: number
  /** Windows that could not take the cost, with their limit, used and remaining credits. */
  readonly violatedWindows: readonly QuotaWindowJson[]
}

/**
 * The problem body of a `402` (a charge refused only because the prepaid balance could not cover it):
 * the credits it needed from the balance and those the balance held. Amounts are exact credits (with a
 * `creditScale`, possibly fractional), unlike the headers' integers.
 */
export interface InsufficientCreditsProblem extends ProblemDetails {
  /** `["balance"]`: the item of `RateLimit` and `RateLimit-Policy` that carries the balance. */
  readonly 'violated-policies': readonly string[]
  /** Credits requested by the rejected call. */
  readonly cost: number
  /** Credits the call needed from the prepaid balance (the part past its windows' included credits). */
  readonly needed: number
  /** Prepaid credits the client has available. */
  readonly available: number
}

/**
 * Problem types by error code: the one place they live. A `429` and a store outage (`503`) use the types
 * that the IETF ratelimit-headers draft registers (`quota-exceeded`, `temporary-reduced-capacity`), so
 * clients that know the standard recognise them; the others are this toolkit's own URNs (neither the
 * draft nor the IANA HTTP Problem Types registry has a type for spent prepaid credits, hence
 * `insufficient-credits` is one of them).
 */
export const PROBLEM_TYPES = {
  QUOTA_EXCEEDED: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
  INSUFFICIENT_CREDITS: 'urn:api-billing:problem:insufficient-credits',
  UNKNOWN_CLIENT: 'urn:api-billing:problem:unknown-client',
  MISSING_CLIENT_ID: 'urn:api-billing:problem:missing-client-id',
  INVALID_ARGUMENT: 'urn:api-billing:problem:invalid-argument',
  STORE_UNAVAILABLE: 'https://iana.org/assignments/http-problem-types#temporary-reduced-capacity',
  PLAN_RESOLUTION_FAILED: 'https://iana.org/assignments/http-problem-types#temporary-reduced-capacity',
} as const

/**
 * Seconds a client is told to wait after a `503` (store outage, plan lookup failure) in `Retry-After` and
 * the body's `retryAfter`: long enough for a reconnect, short enough not to lose a customer.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1

/**
 * The RFC 9457 body for a rejected decision. Its `detail` names the tightest violated window, its credits
 * and renew time, but never the client id: that is often the API key itself, and problem bodies end up in
 * proxies' and clients' logs.
 */
export function quotaExceededProblem(decision: Decision): QuotaExceededProblem {
  const error = new QuotaExceededError(decision)
  return {
    type: PROBLEM_TYPES.QUOTA_EXCEEDED,
    title: 'Quota exceeded',
    status: 429,
    detail:
      `${decision.cost} credit(s) requested, ${error.quotaRemaining} left in the ${error.window.duration} ` +
      `window, renews at ${error.quotaRenew.toISOString()}`,
    'violated-policies': error.violatedWindows.map((w) => w.duration),
    cost: decision.cost,
    remaining: error.quotaRemaining,
    renewAt: error.quotaRenew.toISOString(),
    retryAfter: retryAfterSeconds(decision),
    violatedWindows: error.violatedWindows.map(quotaWindowJson),
  }
}

/**
 * The RFC 9457 body for a decision refused by the balance (`rejectedBy: 'balance'`, HTTP 402): the
 * credits needed from the balance and those available, never the client id. No `retryAfter`: waiting
 * does not add credits.
 */
export function insufficientCreditsProblem(decision: Decision): InsufficientCreditsProblem {
  const needed = creditsNeeded(decision)
  const available = decision.balance ?? 0
  return {
    type: PROBLEM_TYPES.INSUFFICIENT_CREDITS,
    title: 'Insufficient credits',
    status: 402,
    detail: `${needed} credit(s) needed from the prepaid balance, ${available} available`,
    'violated-policies': [BALANCE_POLICY],
    cost: decision.cost,
    needed,
    available,
  }
}

const TITLES: Record<string, string> = {
  UNKNOWN_CLIENT: 'Unknown client',
  MISSING_CLIENT_ID: 'Missing client id',
  INVALID_ARGUMENT: 'Invalid request',
  STORE_UNAVAILABLE: 'Temporary reduced capacity',
  PLAN_RESOLUTION_FAILED: 'Temporary reduced capacity',
}

/** Details that are safe to send: fixed sentences where the error's own message would echo the client id. */
const FIXED_DETAILS: Record<string, string> = {
  UNKNOWN_CLIENT: 'No plan is set for this client.',
  STORE_UNAVAILABLE: 'Usage cannot be recorded right now; try again shortly.',
  PLAN_RESOLUTION_FAILED: "The client's plan cannot be looked up right now; try again shortly.",
}

/**
 * The RFC 9457 body for any error of this toolkit (a `429` gets {@link quotaExceededProblem}, a `402`
 * {@link insufficientCreditsProblem}). A `503`
 * carries `retryAfter` ({@link UNAVAILABLE_RETRY_AFTER_SECONDS}), to be sent as `Retry-After` too. No body
 * echoes the client id.
 */
export function billingErrorProblem(error: BillingError): ProblemDetails {
  if (error instanceof InsufficientCreditsError) return insufficientCreditsProblem(error.decision)
  if (error instanceof QuotaExceededError) return quotaExceededProblem(error.decision)
  const type = PROBLEM_TYPES[error.code as keyof typeof PROBLEM_TYPES] ?? 'about:blank'
  const problem = {
    type,
    title: TITLES[error.code] ?? 'Billing error',
    status: error.status,
    detail: FIXED_DETAILS[error.code] ?? error.message,
  }
  return error.status === 503 ? { ...problem, retryAfter: UNAVAILABLE_RETRY_AFTER_SECONDS } : problem
}
