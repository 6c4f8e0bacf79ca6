import { type ApiBilling, balanceBody } from '@x/api-billing-core'
import type { RequestHandler } from 'express'
import { type ClientIdResolver, resolveClientId } from './client-id-resolver.js'
import { checkBilling, checkClientIdOption } from './option-checks.js'
import { sendBillingError } from './send-billing-error.js'

/** Options of {@link balanceHandler}. */
export interface BalanceHandlerOptions {
  /** Reads the caller's client id from the request (required). Missing → 401. */
  readonly clientId: ClientIdResolver
  /**
   * Credits at or below which the balance counts as low, sent as `lowBalance` so that `<CreditBalance>`
   * shows its low state (use the engine's `alerts.lowBalance`). Default: none.
   */
  readonly lowBalance?: number
}

const FACTORY = 'balanceHandler'

/**
 * A route handler answering 200 with the caller's prepaid balance as JSON (core's `BalanceBody`, the feed
 * of `<CreditBalance>`): credits available now and the live grants in spending order, with
 * `Cache-Control: no-store`. Needs no plan (a client without grants has 0). No client id 401, store
 * unavailable 503.
 * @throws TypeError at construction when an option is invalid.
 * @example app.get('/api/balance', balanceHandler(billing, { clientId: (req) => req.get('x-api-key'), lowBalance: 100 }))
 */
export function balanceHandler(billing: ApiBilling, options: BalanceHandlerOptions): RequestHandler {
  checkBilling(FACTORY, billing)
  checkClientIdOption(FACTORY, options)
  const { lowBalance } = options
  if (
    lowBalance !== undefined &&
    (typeof lowBalance !== 'number' || !Number.isFinite(lowBalance) || lowBalance < 0)
  ) {
    throw new TypeError(
      `${FACTORY}: options.lowBalance must be a non-negative number of credits, got ${String(lowBalance)}`,
    )
  }
  return (req, res, next) => {
    resolveClientId(req, options.clientId)
      .then(async (clientId) => ({ at: billing.now(), balance: await billing.getBalance(clientId) }))
      .then(
        ({ at, balance }) => {
          res.set('Cache-Control', 'no-store').json(balanceBody(balance, at, lowBalance))
        },
        (error: unknown) => {
          if (!sendBillingError(res, error)) next(error)
        },
      )
      .catch(next)
  }
}
