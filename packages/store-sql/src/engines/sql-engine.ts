import type {
  ChargeRequest,
  ChargeResult,
  DeleteUsageRequest,
  LedgerBucket,
  PurgeRequest,
  RefundRequest,
  StoreWindow,
  UsageRange,
} from '@x/api-billing-core'
import type { CreditOperations } from './credit-operations.js'

/**
 * One dialect's implementation of the store's data work, behind {@link SqlUsageStore}, which owns
 * validation, error mapping and the lifecycle. Inputs arrive validated; range bounds are safe integers.
 */
export interface SqlEngine {
  /** Charges with overflow windows, refunds that restore grants or bill back overage, grants and scans. */
  readonly credits: CreditOperations
  charge(request: ChargeRequest): Promise<ChargeResult>
  status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]>
  refund(request: RefundRequest): Promise<boolean>
  readUsage(range: UsageRange): Promise<readonly LedgerBucket[]>
  deleteUsage(request: DeleteUsageRequest): Promise<void>
  purge(request: PurgeRequest): Promise<void>
  /** Waits for work already queued; the store destroys the database afterwards. */
  drain(): Promise<void>
}
