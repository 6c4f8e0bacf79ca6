/**
 * The JSON a daily-usage route sends and `<UsageChart>` renders. The same shape as core's
 * `DailyUsageBody` (packages/core/src/http/daily-usage-body.ts), declared here because core's entry
 * point does not export it yet; a type test keeps the two identical.
 */
export interface DailyUsageBody {
  readonly clientId: string
  /** IANA time zone whose calendar days are reported. */
  readonly timeZone: string
  /** ISO-8601 start of the requested range (inclusive). */
  readonly from: string
  /** ISO-8601 end of the requested range (exclusive). */
  readonly to: string
  /** Every local day overlapping the range, oldest first, days without usage included as 0. */
  readonly days: readonly {
    /** The local date, `YYYY-MM-DD`. */
    readonly date: string
    /** Credits charged that day (net of refunds). */
    readonly credits: number
  }[]
  /** Sum of `days[].credits`. */
  readonly total: number
}
