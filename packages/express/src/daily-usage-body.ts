import type { DailyUsage } from '@x/api-billing-core'

// Stand-in for core's `DailyUsageBody` / `dailyUsageBody` (packages/core/src/http/daily-usage-body.ts),
// which core's public entry point does not export yet. Same shape; replace with core's export once it does.

/** The JSON the daily-usage route sends and `<UsageChart>` renders (same shape as core's `DailyUsageBody`). */
export interface DailyUsageBody {
  /** The client the report is about. */
  readonly clientId: string
  /** IANA time zone whose calendar days are reported. */
  readonly timeZone: string
  /** ISO-8601 start of the requested range (inclusive). */
  readonly from: string
  /** ISO-8601 end of the requested range (exclusive). */
  readonly to: string
  /** Every local day overlapping the range, oldest first, days without usage included as 0. */
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
