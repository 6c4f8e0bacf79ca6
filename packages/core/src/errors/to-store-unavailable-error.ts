import { BillingError } from './billing-error.js'
import { StoreUnavailableError } from './store-unavailable-error.js'

/**
 * The one mapping from whatever a driver or server threw (connection refused or dropped, pool closed, lock
 * timeout, disk full) to what callers of a store see: a `StoreUnavailableError` whose message starts with
 * `context` (e.g. `'RedisUsageStore.charge'`) and whose `cause` is the original. Errors this toolkit
 * raised on purpose (`BillingError`s) pass through unchanged.
 */
export function toStoreUnavailableError(error: unknown, context: string): BillingError {
  if (error instanceof BillingError) return error
  const reason = error instanceof Error ? error.message : String(error)
  return new StoreUnavailableError(`${context}: ${reason}`, { cause: error })
}
