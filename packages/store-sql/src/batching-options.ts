import { InvalidArgumentError } from '@x/api-billing-core'
import type { BatcherSettings } from './engines/batcher.js'

/**
 * How a `SqlUsageStore` gathers concurrent charges into one database call and one transaction, and
 * concurrent status reads into one select (option `batching`). Every caller still gets its own exact,
 * committed answer. The same settings apply to both kinds, each with its own batches.
 */
export interface SqlBatchingOptions {
  /** Most charges in one call, 1 to 1000. Default 64 on Postgres and MySQL/MariaDB, 1000 on SQLite. */
  readonly maxBatchSize?: number
  /**
   * Postgres and MySQL/MariaDB: the longest a charge waits, while an earlier batch is in flight, before
   * its own batch goes anyway, in ms. A charge that arrives while nothing is in flight goes at the end
   * of the current event-loop turn. Default 1.
   */
  readonly maxBatchWaitMs?: number
}

/** Batches in flight at once per store (Postgres, MySQL/MariaDB); later charges wait for one to finish. */
const MAX_BATCHES_IN_FLIGHT = 2

/**
 * The batcher settings of a server engine for option `batching` (default on), or `undefined` when it is
 * `false`. Throws `InvalidArgumentError` naming the bad field.
 */
export function serverBatching(
  option: boolean | SqlBatchingOptions | undefined,
): BatcherSettings | undefined {
  const settings = batchingOption(option)
  if (settings === undefined) return undefined
  return {
    maxBatchSize: settings.maxBatchSize ?? 64,
    maxBatchWaitMs: settings.maxBatchWaitMs ?? 1,
    maxBatchesInFlight: MAX_BATCHES_IN_FLIGHT,
  }
}

/** SQLite's group commit: most operations per transaction for option `batching` (1 when it is `false`). */
export function sqliteBatchSize(option: boolean | SqlBatchingOptions | undefined): number {
  const settings = batchingOption(option)
  return settings === undefined ? 1 : (settings.maxBatchSize ?? 1000)
}

function batchingOption(option: boolean | SqlBatchingOptions | undefined): SqlBatchingOptions | undefined {
  if (option === false) return undefined
  if (option === undefined || option === true) return {}
  if (typeof option !== 'object' || option === null) {
    throw new InvalidArgumentError(
      'options.batching',
      'expected true, false or { maxBatchSize, maxBatchWaitMs }',
    )
  }
  const { maxBatchSize, maxBatchWaitMs } = option
  if (maxBatchSize !== undefined && !(Number.isSafeInteger(maxBatchSize) && maxBatchSize >= 1)) {
    throw new InvalidArgumentError(
      'options.batching.maxBatchSize',
      `expected a whole number ≥ 1, got ${maxBatchSize}`,
    )
  }
  if (maxBatchWaitMs !== undefined && !(Number.isFinite(maxBatchWaitMs) && maxBatchWaitMs >= 0)) {
    throw new InvalidArgumentError(
      'options.batching.maxBatchWaitMs',
      `expected a finite number ≥ 0, got ${maxBatchWaitMs}`,
    )
  }
  return option
}
