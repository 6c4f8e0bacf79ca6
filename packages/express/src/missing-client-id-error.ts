import { BillingError } from '@x/api-billing-core'

/**
 * The request carries no client id (the `clientId` function returned `undefined`, `null` or `''`):
 * the caller is not authenticated, so HTTP 401 with the `MISSING_CLIENT_ID` problem type. A `clientId`
 * function may also throw it itself.
 */
export class MissingClientIdError extends BillingError {
  /** Always `'MISSING_CLIENT_ID'`, the key of its problem type in core's `PROBLEM_TYPES`. */
  readonly code = 'MISSING_CLIENT_ID'
  /** Always 401. */
  readonly status = 401

  /** @param message what was missing. Default: a generic "no client id" message. */
  constructor(message = 'The request does not identify a client (no API key or client id was found)') {
    super(message)
  }
}
