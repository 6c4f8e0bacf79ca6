import type { RateLimitHeaderOptions } from '@x/api-billing-core'
import type { ErrorRequestHandler } from 'express'
import { sendBillingError } from './send-billing-error.js'

/**
 * An Express error handler that answers every `BillingError` reaching it (for example a
 * `QuotaExceededError` thrown by `billing.trackClientUsage` inside a handler) with
 * {@link sendBillingError}, and passes any other error on with `next(err)`. Mount it after your routes.
 * @param options which rate-limit header sets a 429 carries. Default: both.
 */
export function billingErrorHandler(options: RateLimitHeaderOptions = {}): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (!sendBillingError(res, error, options)) next(error)
  }
}
