import { type ApiBilling, quotaStatusBody, type RateLimitHeaderOptions } from '@x/api-billing-core'
import type { RequestHandler } from 'express'
import { applyBillingHeaders } from './apply-billing-headers.js'
import { type ClientIdResolver, resolveClientId } from './client-id-resolver.js'
import { checkBilling, checkClientIdOption, checkHeadersOption } from './option-checks.js'
import { sendBillingError } from './send-billing-error.js'

/** Options of {@link quotaStatusHandler}. */
export interface QuotaStatusHandlerOptions {
  /** Reads the caller's client id from the request (required). Missing → 401. */
  readonly clientId: ClientIdResolver
  /** Which rate-limit headers to send with the status. Default: both sets. */
  readonly headers?: RateLimitHeaderOptions
}

const FACTORY = 'quotaStatusHandler'

/**
 * A route handler answering 200 with the caller's windows as JSON (core's `QuotaStatusBody`, the feed
 * of `<QuotaMeter>`), without charging anything, with the rate-limit headers and
 * `Cache-Control: no-store`. No client id 401, unknown client 403, store unavailable 503.
 * @throws TypeError at construction when an option is invalid.
 * @example app.get('/api/quota', quotaStatusHandler(billing, { clientId: (req) => req.get('x-api-key') }))
 */
export function quotaStatusHandler(billing: ApiBilling, options: QuotaStatusHandlerOptions): RequestHandler {
  checkBilling(FACTORY, billing)
  checkClientIdOption(FACTORY, options)
  checkHeadersOption(FACTORY, options.headers)
  const headers = options.headers ?? {}
  return (req, res, next) => {
    resolveClientId(req, options.clientId)
      .then((clientId) => billing.getQuotaStatus(clientId))
      .then(
        (decision) => {
          applyBillingHeaders(res, decision, headers)
          res.set('Cache-Control', 'no-store').json(quotaStatusBody(decision))
        },
        (error: unknown) => {
          if (!sendBillingError(res, error, headers)) next(error)
        },
      )
      .catch(next)
  }
}
