export { applyBillingHeaders } from './apply-billing-headers.js'
export { type BalanceHandlerOptions, balanceHandler } from './balance-handler.js'
export { bearerTokenAuthorizer, tokensEqual } from './bearer-token-authorizer.js'
export { billingErrorHandler } from './billing-error-handler.js'
export {
  type BillingMiddlewareOptions,
  billingMiddleware,
  type RefundPredicate,
} from './billing-middleware.js'
export type { ClientIdResolver } from './client-id-resolver.js'
export { type DailyUsageHandlerOptions, dailyUsageHandler } from './daily-usage-handler.js'
export { getBillingDecision } from './get-billing-decision.js'
export { MissingClientIdError } from './missing-client-id-error.js'
export { type QuotaStatusHandlerOptions, quotaStatusHandler } from './quota-status-handler.js'
export { type BillingErrorOptions, sendBillingError } from './send-billing-error.js'
export {
  type UsageExportAccess,
  type UsageExportHandlerOptions,
  usageExportHandler,
} from './usage-export-handler.js'
