export {
  ApiBilling,
  type ApiBillingOptions,
  type Balance,
  type DailyUsageOptions,
  type RefundOptions,
  type TrackOptions,
} from './api-billing.js'
export type { ClientResolution, PlanAssignment, ResolveClient } from './client-resolution.js'
export type { ClientCacheOptions } from './client-resolver.js'
export { type Clock, systemClock } from './clock.js'
export { compareClientIds } from './compare-client-ids.js'
export type {
  CreditAlertOptions,
  LowBalanceEvent,
  ThresholdEvent,
} from './credit-alerts.js'
export {
  compareGrants,
  type GrantRequest,
  type GrantSpend,
  isSpendable,
  type StoredGrant,
} from './credit-grant.js'
export type { CreditGrant, GrantOptions } from './credit-grant-input.js'
export { type DailyUsage, type LocalDay, localDays } from './daily-usage.js'
export type { Decision, SpentGrant, WindowUsage } from './decision.js'
export { BillingError } from './errors/billing-error.js'
export { InsufficientCreditsError } from './errors/insufficient-credits-error.js'
export { InvalidArgumentError } from './errors/invalid-argument-error.js'
export { PlanResolutionError } from './errors/plan-resolution-error.js'
export { QuotaExceededError } from './errors/quota-exceeded-error.js'
export { StoreUnavailableError } from './errors/store-unavailable-error.js'
export { toStoreUnavailableError } from './errors/to-store-unavailable-error.js'
export { UnknownClientError } from './errors/unknown-client-error.js'
export { hasRoom } from './has-room.js'
export {
  type BalanceBody,
  balanceBody,
  type CreditGrantJson,
  creditGrantJson,
} from './http/balance-body.js'
export { type DailyUsageBody, dailyUsageBody } from './http/daily-usage-body.js'
export {
  billingErrorProblem,
  type InsufficientCreditsProblem,
  insufficientCreditsProblem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  type ProblemDetails,
  type QuotaExceededProblem,
  quotaExceededProblem,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from './http/problem-details.js'
export {
  type QuotaStatusBody,
  type QuotaWindowJson,
  quotaStatusBody,
  quotaWindowJson,
} from './http/quota-status-body.js'
export {
  BALANCE_POLICY,
  legacyRateLimitHeaders,
  type RateLimitHeaderOptions,
  rateLimitHeader,
  rateLimitHeaders,
  rateLimitPolicyHeader,
  retryAfterSeconds,
} from './http/rate-limit-headers.js'
export { tightestFirst } from './http/tightest-first.js'
export { isWholeClientDelete } from './is-whole-client-delete.js'
export { LEDGER_BUCKET_MS, type LedgerBucket, ledgerBucketStart } from './ledger-bucket.js'
export { MemoryUsageStore, type MemoryUsageStoreOptions } from './memory-usage-store.js'
export { excessOver, hasOverflowWindow, planCreditCharge, spendGrants } from './plan-credit-charge.js'
export type { QuotaDefinition, QuotaOverflow } from './quota-definition.js'
export { isQuotaDuration, QUOTA_DURATIONS, QuotaDuration } from './quota-duration.js'
export { type QuotaWindow, quotaWindow } from './quota-window.js'
export {
  meterEventIdentifier,
  type StripeMeterEvent,
  type StripeMeterEventOptions,
  stripeMeterEvents,
} from './stripe-meter-events.js'
export { compareTightness, type TightnessFields, tightestWindow } from './tightness.js'
export { isUnlimited, UNLIMITED } from './unlimited.js'
export { USAGE_CSV_HEADER, type UsageCsvOptions, usageCsv, usageCsvRow } from './usage-csv.js'
export {
  DEFAULT_EXPORT_PAGE_SIZE,
  type UsageExportOptions,
  type UsageGranularity,
  type UsageRow,
} from './usage-export.js'
export type { ScannedBucket, UsageScan } from './usage-scan.js'
export type {
  ChargeRequest,
  ChargeResult,
  CreditOutcome,
  DeleteAllUsageRequest,
  DeleteUsageRequest,
  IdempotencyClaim,
  PurgeRequest,
  RefundRequest,
  StoreWindow,
  UsageRange,
  UsageStore,
} from './usage-store.js'
export type { UsageSummary } from './usage-summary.js'
export { assertClientId, assertCredits, assertTimeZone } from './validate.js'
