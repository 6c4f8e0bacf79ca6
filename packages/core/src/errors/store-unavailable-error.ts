import { BillingError } from './billing-error.js'

/**
 * Thrown by a `UsageStore` when its database cannot be reached or fails mid-request. The charge it
 * was making was either committed whole or not at all; the caller cannot tell which only when the
 * connection dropped during the commit, which is what idempotency keys are for. HTTP 503.
 */
export class StoreUnavailableError extends BillingError {
  readonly code = 'STORE_UNAVAILABLE'
  readonly status = 503

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
