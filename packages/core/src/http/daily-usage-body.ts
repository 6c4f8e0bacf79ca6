import type { DailyUsage } from '../daily-usage.js'

/** The JSON a daily-usage route sends and `<UsageChart>` renders. */
export interface DailyUsageBody {
  readonly clientId: string
  /** IANA time zone whose calendar days are reported. */
  readonly timeZone: string
  /** ISO-8601 start of the requested range (inclusive). */
  readonly from: string
  /** ISO-8601 end of the requested range (exclusive). */
  readonly to: string
  /**
   * Every local day overlapping the range, oldest first, days without usage included as 0: its `credits`
   * and the parts of them paid from prepaid grants (`fromBalance`) and billed as overage (`overage`).
   */
  readonly days: readonly DailyUsage[]
  /** Sum of `days[].credits`. */
  readonly total: number
}

/** Builds a {@link DailyUsageBody} from an engine report. */
export function dailyUsageBody(
  clientId: string,
  from: Date,
  to: Date,
  timeZone: string,
  days: readonly DailyUsage[],
): DailyUsageBody {
  return {
    clientId,
    timeZone,
    from: from.toISOString(),
    to: to.toISOString(),
    days,
    total: days.reduce((sum, d) => sum + d.credits, 0),
  }
}
