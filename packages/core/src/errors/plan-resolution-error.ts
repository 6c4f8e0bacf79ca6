import { BillingError } from './billing-error.js'

/**
 * Thrown when a client's plan cannot be found out: the `resolveClient` function given to `ApiBilling`
 * threw (its database is down, say) or answered something that is not a plan — a plan name missing from
 * the catalog, invalid quota definitions, a value of the wrong type. `cause` holds what went wrong.
 *
 * Only thrown when no earlier answer for the client is cached: a cached answer, even an expired one, is
 * used instead. Nothing was charged. HTTP 503.
 */
export class PlanResolutionError extends BillingError {
  readonly code = 'PLAN_RESOLUTION_FAILED'
  readonly status = 503
  /** The client whose plan could not be resolved. */
  readonly clientId: string

  constructor(clientId: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.clientId = clientId
  }
}
