import {
  BillingError,
  billingErrorProblem,
  QuotaExceededError,
  quotaExceededProblem,
  type RateLimitHeaderOptions,
} from '@x/api-billing-core'
import type { Response } from 'express'
import { applyBillingHeaders } from './apply-billing-headers.js'
import { sendProblem } from './send-problem.js'

/**
 * Answers a `BillingError` with its status and RFC 9457 `application/problem+json` body: 429 with the
 * rate-limit headers and `Retry-After` for `QuotaExceededError`, 400 for `InvalidArgumentError`, 401
 * for `MissingClientIdError`, 403 for `UnknownClientError`, 503 with `Retry-After` for
 * `StoreUnavailableError` (and any other outage, such as a failed plan lookup). No body echoes the client id.
 * For handlers that charge themselves, e.g. `catch (e) { if (!sendBillingError(res, e)) throw e }`.
 * @param options which rate-limit header sets a 429 carries. Default: both.
 * @returns `true` when a response was sent; `false` (nothing sent) when `error` is not a
 * `BillingError` or the headers were already sent.
 */
export function sendBillingError(
  res: Response,
  error: unknown,
  options: RateLimitHeaderOptions = {},
): boolean {
  if (!(error instanceof BillingError) || res.headersSent) return false
  if (error instanceof QuotaExceededError) {
    applyBillingHeaders(res, error.decision, options)
    sendProblem(res, quotaExceededProblem(error.decision))
  } else {
    const problem = billingErrorProblem(error)
    if (typeof problem.retryAfter === 'number') res.set('Retry-After', String(problem.retryAfter))
    sendProblem(res, problem)
  }
  return true
}
