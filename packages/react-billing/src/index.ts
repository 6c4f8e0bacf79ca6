export type { DailyUsageBody } from '@x/api-billing-core'
export { applyRateLimitHeaders } from './apply-rate-limit-headers.js'
export type { BalanceBody, BalanceGrantJson } from './balance-body.js'
export { BalanceSource, type BalanceSourceOptions } from './balance-source.js'
export { CreditBalance, type CreditBalanceProps } from './credit-balance.js'
export { type Fetcher, fetchJson } from './fetch-json.js'
export { formatCountdown } from './format-countdown.js'
export type { HeadersLike } from './headers-like.js'
export type { HeadingLevel } from './heading-level.js'
export { HttpError } from './http-error.js'
export { parseBalanceBody } from './parse-balance-body.js'
export { parseDailyUsageBody } from './parse-daily-usage-body.js'
export { parseQuotaStatusBody } from './parse-quota-status-body.js'
export {
  PollingSource,
  type PollingSourceOptions,
  type PollingSourceSettings,
  type SourceState,
} from './polling-source.js'
export { QuotaMeter, type QuotaMeterProps } from './quota-meter.js'
export { QuotaStatusSource, type QuotaStatusSourceOptions } from './quota-status-source.js'
export type { QuotaStatusView, QuotaWindowView } from './quota-status-view.js'
export { readBalanceHeader } from './read-balance-header.js'
export { tightestWindow } from './tightest-window.js'
export { UsageChart, type UsageChartProps } from './usage-chart.js'
export { type BalanceResult, type UseBalanceOptions, useBalance } from './use-balance.js'
export { type DailyUsageResult, type UseDailyUsageOptions, useDailyUsage } from './use-daily-usage.js'
export { type QuotaStatusResult, type UseQuotaStatusOptions, useQuotaStatus } from './use-quota-status.js'
