import { BillingError, StoreUnavailableError } from '@x/api-billing-core'
import type { SqlDialect } from './sql-dialect.js'

/**
 * Turns whatever a driver threw (connection refused, dropped, pool destroyed, lock timeout, disk full)
 * into core's `StoreUnavailableError` with the original as `cause`. Errors this toolkit raised on
 * purpose (`BillingError`s) pass through unchanged.
 */
export function toStoreUnavailable(error: unknown, dialect: SqlDialect, operation: string): BillingError {
  if (error instanceof BillingError) return error
  const reason = error instanceof Error ? error.message : String(error)
  return new StoreUnavailableError(`SqlUsageStore (${dialect}) could not ${operation}: ${reason}`, {
    cause: error,
  })
}
