import type { QuotaOverflow, QuotaStatusBody, QuotaWindowJson } from '@x/api-billing-core'

/**
 * One window of a {@link QuotaStatusView}: core's `QuotaWindowJson`, with the credit fields a status route
 * sends since prepaid credits made optional, so a body from an older server fits too (and core's fits as is).
 */
export type QuotaWindowView = Omit<QuotaWindowJson, 'overflow' | 'overageLimit'> & {
  /** What a request past `limit` does: `'reject'` (default when absent), `'balance'` or `'bill'`. */
  readonly overflow?: QuotaOverflow
  /**
   * How far `used` may go past `limit` in an overflow window; `null` = unlimited. Absent: `0` (a
   * `'reject'` window). For an overflow window `used` may exceed `limit`.
   */
  readonly overageLimit?: number | null
}

/**
 * The quota status the components and hooks of this package read: core's `QuotaStatusBody`, with the
 * prepaid `balance` and the per-window credit fields optional, so both older and newer servers' bodies
 * are accepted. Missing fields mean their defaults: `balance` `null`, `overflow` `'reject'`.
 */
export type QuotaStatusView = Omit<QuotaStatusBody, 'windows' | 'balance'> & {
  /** Prepaid credits available now; `null` (default when absent) when the plan has no balance. */
  readonly balance?: number | null
  /** Every window, shortest duration first. */
  readonly windows: readonly QuotaWindowView[]
}
