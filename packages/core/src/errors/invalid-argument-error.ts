import { BillingError } from './billing-error.js'

/**
 * Thrown synchronously-in-spirit (the returned promise rejects before anything is read or written)
 * when a call receives bad input: a negative, NaN, infinite or fractional cost, an empty client id,
 * an unknown duration, an invalid time zone or date, a duplicate duration in one plan, a negative
 * limit. Nothing has been charged when it is thrown. HTTP 400.
 */
export class InvalidArgumentError extends BillingError {
  readonly code = 'INVALID_ARGUMENT'
  readonly status = 400
  /** The name of the argument (or field path, e.g. `definitions[1].timeZone`) that was rejected. */
  readonly argument: string

  constructor(argument: string, message: string) {
    super(`Invalid ${argument}: ${message}`)
    this.argument = argument
  }
}
