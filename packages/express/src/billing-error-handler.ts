import type { ErrorRequestHandler } from 'express'
import { checkOptionalErrorStatus } from './option-checks.js'
import { type BillingErrorOptions, sendBillingError } from './send-billing-error.js'

/**
 * An Express error handler that answers every `BillingError` reaching it (for example a
 * `QuotaExceededError` thrown by `billing.trackClientUsage` inside a handler) with
 * {@link sendBillingError}, and passes any other error on with `next(err)`. Mount it after your routes.
 * @param options which rate-limit header sets a 429 or 402 carries (default: both) and the status of an
 * `InsufficientCreditsError` (default 402).
 * @throws TypeError at construction when `insufficientCreditsStatus` is not a status from 400 to 599.
 */
export function billingErrorHandler(options: BillingErrorOptions = {}): ErrorRequestHandler {
  checkOptionalErrorStatus(
    'billingErrorHandler',
    'options.insufficientCreditsStatus',
    options.insufficientCreditsStatus,
  )
  return (error, _req, res, next) => {
    if (!sendBillingError(res, error, options)) next(error)
  }
}
