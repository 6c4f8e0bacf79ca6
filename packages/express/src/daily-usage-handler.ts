import {
  type ApiBilling,
  billingErrorProblem,
  type Clock,
  dailyUsageBody,
  InvalidArgumentError,
} from '@x/api-billing-core'
import type { RequestHandler } from 'express'
import { type ClientIdResolver, resolveClientId } from './client-id-resolver.js'
import { dailyUsageRange } from './daily-usage-range.js'
import { checkBilling, checkClientIdOption, checkOptionalFunction, optionError } from './option-checks.js'
import { sendBillingError } from './send-billing-error.js'
import { sendProblem } from './send-problem.js'

/** Options of {@link dailyUsageHandler}. */
export interface DailyUsageHandlerOptions {
  /** Reads the caller's client id from the request (required). Missing → 401. */
  readonly clientId: ClientIdResolver
  /** Days reported when the request gives no `from`, today included. Default 30. */
  readonly defaultDays?: number
  /** Where "now" comes from for the default range. Default: the engine's clock (`billing.now()`). */
  readonly clock?: Clock
}

const FACTORY = 'dailyUsageHandler'
const QUERY_PARAMETERS = new Set(['from', 'to', 'timeZone'])

/**
 * A route handler answering 200 with the caller's credits per local day (the feed of `<UsageChart>`)
 * for `?from&to&timeZone`: ISO dates (local days of `timeZone`, `to` inclusive) or instants with an
 * offset (`to` exclusive), an IANA time zone. Defaults: the last `defaultDays` days up to now, UTC.
 * A bad parameter gives 400 problem+json naming it (`parameter`); no client id 401, unknown client 403,
 * store unavailable 503. Sends `Cache-Control: no-store`.
 * @throws TypeError at construction when an option is invalid.
 */
export function dailyUsageHandler(billing: ApiBilling, options: DailyUsageHandlerOptions): RequestHandler {
  checkBilling(FACTORY, billing)
  checkClientIdOption(FACTORY, options)
  const { defaultDays = 30 } = options
  if (!Number.isSafeInteger(defaultDays) || defaultDays < 1 || defaultDays > 3_700) {
    throw optionError(FACTORY, 'options.defaultDays', 'a whole number of days from 1 to 3700', defaultDays)
  }
  checkOptionalFunction(FACTORY, 'options.clock', options.clock, '() => new Date()')
  const clock = options.clock ?? (() => billing.now())

  return (req, res, next) => {
    const report = async () => {
      const clientId = await resolveClientId(req, options.clientId)
      await billing.resolveClientQuotas(clientId) // 403 for an unknown client, 503 when its plan cannot be looked up
      const { from, to, timeZone } = dailyUsageRange(req.query, clock(), defaultDays)
      const days = await billing.getDailyUsage(clientId, from, to, { timeZone })
      res.set('Cache-Control', 'no-store').json(dailyUsageBody(clientId, from, to, timeZone, days))
    }
    report()
      .catch((error: unknown) => {
        if (
          error instanceof InvalidArgumentError &&
          QUERY_PARAMETERS.has(error.argument) &&
          !res.headersSent
        ) {
          sendProblem(res, { ...billingErrorProblem(error), parameter: error.argument })
        } else if (!sendBillingError(res, error)) {
          next(error)
        }
      })
      .catch(next)
  }
}
