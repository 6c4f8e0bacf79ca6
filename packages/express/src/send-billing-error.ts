import {
  BillingError,
  billingErrorProblem,
  InsufficientCreditsError,
  QuotaExceededError,
  quotaExceededProblem,
  type RateLimitHeaderOptions,
} from '@x/api-billing-core'
import type { Response } from 'express'
import { applyBillingHeaders } from './apply-billing-headers.js'
import { sendProblem } from './send-problem.js'

/** Options of {@link sendBillingError} and `billingErrorHandler`: the rate-limit header sets, and the 402's status. */
export interface BillingErrorOptions extends RateLimitHeaderOptions {
  /**
   * Status of the answer to `InsufficientCreditsError` (a charge refused only because the prepaid balance
   * fell short); the problem body's `status` says the same. Default `402` (Payment Required).
   */
  readonly insufficientCreditsStatus?: number
}

/**
 * Answers a `BillingError` with its status and RFC 9457 `application/problem+json` body: 429 with the
 * rate-limit headers and `Retry-After` for `QuotaExceededError`; 402 (`options.insufficientCreditsStatus`)
 * with the rate-limit headers, no `Retry-After`, and the credits needed and available for
 * `InsufficientCreditsError`; 400 for `InvalidArgumentError`, 401
 * for `MissingClientIdError`, 403 for `UnknownClientError`, 503 with `Retry-After` for
 * `StoreUnavailableError` (and any other outage, such as a failed plan lookup). No body echoes the client id.
 * For handlers that charge themselves, e.g. `catch (e) { if (!sendBillingError(res, e)) throw e }`.
 * @param options which rate-limit header sets a 429 or 402 carries (default: both) and the 402's status.
 * @returns `true` when a response was sent; `false` (nothing sent) when `error` is not a
 * `BillingError` or the headers were already sent.
 */
export function sendBillingError(res: Response, error: unknown, options: BillingErrorOptions = {}): boolean {
  if (!(error instanceof BillingError) || res.headersSent) return false
  if (error instanceof InsufficientCreditsError) {
    applyBillingHeaders(res, error.decision, options)
    const status = options.insufficientCreditsStatus ?? 402
    sendProblem(res, { ...billingErrorProblem(error), status })
  } else if (error instanceof QuotaExceededError) {
    applyBillingHeaders(res, error.decision, options)
    sendProblem(res, quotaExceededProblem(error.decision))
  } else {
    const problem = billingErrorProblem(error)
    if (typeof problem.retryAfter === 'number') res.set('Retry-After', String(problem.retryAfter))
    sendProblem(res, problem)
  }
  return true
}
