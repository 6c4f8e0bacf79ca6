import { CompiledQuota } from './compiled-quota.js'
import type { QuotaDefinition } from './quota-definition.js'
import { toEpochMs } from './validate.js'

/** A half-open interval `[start, end)`. */
export interface QuotaWindow {
  /** First instant of the window (inclusive). */
  readonly start: Date
  /** First instant of the next window (exclusive). */
  readonly end: Date
}

/**
 * The window of `definition` that contains `at`: `start <= at < end`. Seconds, minutes and hours are
 * fixed lengths from the anchor; days and weeks are local calendar days in the definition's time zone;
 * months and years are `anchor + n months|years` in the anchor's wall-clock time, clamped to the
 * month's last day and computed from the anchor every time. A local start time that does not exist
 * (DST gap) moves forward by the gap; an ambiguous one takes the earlier instant.
 *
 * @throws InvalidArgumentError for a malformed definition or an invalid `at`.
 */
export function quotaWindow(definition: QuotaDefinition, at: Date): QuotaWindow {
  const atMs = toEpochMs(at, 'at')
  const quota = new CompiledQuota(definition).windowAt(atMs)
  return { start: new Date(quota.start), end: new Date(quota.end) }
}
