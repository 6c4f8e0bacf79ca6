import type { Decision } from '../decision.js'
import type { BillingError } from '../errors/billing-error.js'
import { QuotaExceededError } from '../errors/quota-exceeded-error.js'
import { type QuotaWindowJson, quotaWindowJson } from './quota-status-body.js'
import { retryAfterSeconds } from './rate-limit-headers.js'

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
  /** Credits requested by the rejected call. */
  readonly cost: number
  /** Credits left in the tightest violated window. */
  readonly remaining: number
  /** ISO-8601 instant when the last violated window renews. */
  readonly renewAt: string
  /** Seconds until `renewAt`, as in `Retry-After`. */
  readonly retryAfter: number
  /** Windows that could not take the cost. */
  readonly violatedWindows: readonly QuotaWindowJson[]
}

/** Problem types, one URN per error code. */
export const PROBLEM_TYPES = {
  QUOTA_EXCEEDED: 'urn:api-billing:problem:quota-exceeded',
  UNKNOWN_CLIENT: 'urn:api-billing:problem:unknown-client',
  MISSING_CLIENT_ID: 'urn:api-billing:problem:missing-client-id',
  INVALID_ARGUMENT: 'urn:api-billing:problem:invalid-argument',
  STORE_UNAVAILABLE: 'urn:api-billing:problem:store-unavailable',
} as const

/** The RFC 9457 body for a rejected decision. */
export function quotaExceededProblem(decision: Decision): QuotaExceededProblem {
  const error = new QuotaExceededError(decision)
  return {
    type: PROBLEM_TYPES.QUOTA_EXCEEDED,
    title: 'Quota exceeded',
    status: 429,
    detail: error.message,
    cost: decision.cost,
    remaining: error.quotaRemaining,
    renewAt: error.quotaRenew.toISOString(),
    retryAfter: retryAfterSeconds(decision),
    violatedWindows: error.violatedWindows.map(quotaWindowJson),
  }
}

const TITLES: Record<string, string> = {
  UNKNOWN_CLIENT: 'Unknown client',
  MISSING_CLIENT_ID: 'Missing client id',
  INVALID_ARGUMENT: 'Invalid request',
  STORE_UNAVAILABLE: 'Billing unavailable',
}

/** The RFC 9457 body for any error of this toolkit (a `429` gets {@link quotaExceededProblem}). */
export function billingErrorProblem(error: BillingError): ProblemDetails {
  if (error instanceof QuotaExceededError) return quotaExceededProblem(error.decision)
  const type = PROBLEM_TYPES[error.code as keyof typeof PROBLEM_TYPES] ?? 'about:blank'
  const detail =
    error.code === 'STORE_UNAVAILABLE'
      ? 'Usage cannot be recorded right now; try again shortly.'
      : error.message
  return { type, title: TITLES[error.code] ?? 'Billing error', status: error.status, detail }
}
