import type { QuotaDuration } from '@x/api-billing-core'

/**
 * Every quota duration, shortest first: the order a status lists its windows in. A copy of core's
 * `QUOTA_DURATIONS`, so this package needs core only for its types.
 */
export const DURATION_ORDER: readonly QuotaDuration[] = Object.freeze([
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
] as const)

/** Returns `true` when `value` names a quota duration (`'second'` … `'year'`). */
export function isDuration(value: unknown): value is QuotaDuration {
  return typeof value === 'string' && (DURATION_ORDER as readonly string[]).includes(value)
}
