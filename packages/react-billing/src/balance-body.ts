/** One prepaid grant in a {@link BalanceBody}: instants as ISO-8601 strings. */
export interface BalanceGrantJson {
  /** The grant's id. */
  readonly id: string
  /** Credits granted. */
  readonly credits: number
  /** Credits not spent yet. */
  readonly remaining: number
  /** When the grant may first be spent; a grant not yet effective is pending (not in `available`). */
  readonly effectiveAt: string
  /** When it can no longer be spent (exclusive); absent: never. */
  readonly expiresAt?: string
  /** When it was granted. */
  readonly grantedAt: string
  /** The note given with it; absent: none. */
  readonly note?: string
}

/**
 * The JSON a balance route (the Express binding's `balanceHandler`) sends and `<CreditBalance>` renders:
 * a client's prepaid credits, from core's `ApiBilling.getBalance`.
 */
export interface BalanceBody {
  /** Credits that may be spent now: the effective, unexpired grants' remaining credits. */
  readonly available: number
  /** The grants not voided, used up or expired, in spending order; pending ones included. */
  readonly grants: readonly BalanceGrantJson[]
  /** The server's low-balance line (credits at or below it are low); absent: none. */
  readonly lowBalance?: number
}
