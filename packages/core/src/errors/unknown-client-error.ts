import { BillingError } from './billing-error.js'

/**
 * Thrown when a client has no quota definitions (never configured, or removed). Distinct from an
 * exhausted quota: the caller is not a customer, so HTTP 403.
 */
export class UnknownClientError extends BillingError {
  readonly code = 'UNKNOWN_CLIENT'
  readonly status = 403
  /** The client id that was not found. */
  readonly clientId: string

  constructor(clientId: string) {
    super(`Unknown client "${clientId}": no quota definitions are set for it`)
    this.clientId = clientId
  }
}
