/**
 * The length of a quota window. String values, so they read well in JSON, SQL rows and headers.
 *
 * `second`, `minute` and `hour` windows are fixed lengths of elapsed time; `day` and `week` are local
 * calendar days in the quota's time zone (23 or 25 hours across a DST change); `month` and `year` are
 * calendar months and years counted from the anchor, clamped to the month's last day.
 */
export const QuotaDuration = {
  SECOND: 'second',
  MINUTE: 'minute',
  HOUR: 'hour',
  DAY: 'day',
  WEEK: 'week',
  MONTH: 'month',
  YEAR: 'year',
} as const

/** One of the {@link QuotaDuration} values: `'second' | 'minute' | … | 'year'`. */
export type QuotaDuration = (typeof QuotaDuration)[keyof typeof QuotaDuration]

/** Every duration, shortest first. Also the order in which a client's windows are listed. */
export const QUOTA_DURATIONS: readonly QuotaDuration[] = Object.freeze(Object.values(QuotaDuration))

/** Returns `true` when `value` is one of the {@link QuotaDuration} strings. */
export function isQuotaDuration(value: unknown): value is QuotaDuration {
  return typeof value === 'string' && (QUOTA_DURATIONS as readonly string[]).includes(value)
}
