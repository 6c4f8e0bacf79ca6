import { Temporal } from 'temporal-polyfill'
import { type CreditScale, WHOLE_CREDITS } from './credit-scale.js'
import type { LedgerBucket } from './ledger-bucket.js'

/** Credits charged on one local calendar day. */
export interface DailyUsage {
  /** The local date, `YYYY-MM-DD`, in the time zone the report was asked for. */
  readonly date: string
  /** Credits charged that day (net of refunds). */
  readonly credits: number
  /** The part of `credits` paid from prepaid grants. */
  readonly fromBalance: number
  /** The part of `credits` billed as overage. */
  readonly overage: number
}

/** A local calendar day as a half-open interval of epoch milliseconds. */
export interface LocalDay {
  readonly date: string
  readonly start: number
  readonly end: number
}

/**
 * The local calendar days of `timeZone` that overlap `[from, to)`, in order. Each day runs from local
 * midnight (or the first instant after it, where midnight falls in a DST gap) to the next one.
 */
export function localDays(from: number, to: number, timeZone: string): LocalDay[] {
  const days: LocalDay[] = []
  let date = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(timeZone).toPlainDate()
  let start = date.toZonedDateTime({ timeZone }).epochMilliseconds
  while (start < to) {
    const next = date.add({ days: 1 })
    const end = next.toZonedDateTime({ timeZone }).epochMilliseconds
    days.push({ date: date.toString(), start, end })
    date = next
    start = end
  }
  return days
}

/**
 * Sums ledger buckets (ordered by start, in `scale`'s units; default whole credits) into the given days,
 * in credits; a day with no usage reports 0.
 */
export function sumByDay(
  days: readonly LocalDay[],
  buckets: readonly LedgerBucket[],
  scale: CreditScale = WHOLE_CREDITS,
): DailyUsage[] {
  let i = 0
  return days.map((day) => {
    let credits = 0
    let fromBalance = 0
    let overage = 0
    while (i < buckets.length && (buckets[i] as LedgerBucket).start < day.start) i++
    while (i < buckets.length && (buckets[i] as LedgerBucket).start < day.end) {
      const bucket = buckets[i] as LedgerBucket
      credits += bucket.credits
      fromBalance += bucket.fromBalance ?? 0
      overage += bucket.overage ?? 0
      i++
    }
    return {
      date: day.date,
      credits: scale.toCredits(credits),
      fromBalance: scale.toCredits(fromBalance),
      overage: scale.toCredits(overage),
    }
  })
}
