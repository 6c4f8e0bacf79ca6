import type { Decision } from '@x/api-billing-core'
import type { Response } from 'express'

declare global {
  namespace Express {
    interface Locals {
      /** The decision `billingMiddleware` made for this request; see `getBillingDecision`. */
      billing?: Decision
    }
  }
}

/**
 * The decision `billingMiddleware` made for this request (it is kept in `res.locals.billing`), so a
 * handler can refund (`billing.refund(decision, { credits })`) or read the remaining credits.
 * `undefined` when the middleware did not run, or let the request through with `failOpen` while the
 * store was unavailable.
 */
export function getBillingDecision(res: Response): Decision | undefined {
  return res.locals.billing
}
