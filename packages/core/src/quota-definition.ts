import type { QuotaDuration } from './quota-duration.js'

/**
 * One window of a client's plan, e.g. "500 credits a day". frappy's `QuotaDefinition`.
 *
 * Windows tile time from `startDate` (the billing-cycle anchor): `[anchor + n·duration,
 * anchor + (n+1)·duration)` for every integer `n`, negative ones included, so an instant before
 * `startDate` falls in a window of the same grid. A plan whose anchor lies in the future is therefore
 * metered from the moment it is set, on the cycle it will have.
 */
export interface QuotaDefinition {
  /** Length of the window. At most one definition per duration in a plan. */
  readonly duration: QuotaDuration
  /**
   * Credits allowed per window: a non-negative safe integer, or `UNLIMITED`. A limit of 0 blocks every
   * request that costs anything.
   */
  readonly creditLimit: number
  /**
   * The anchor. Day and week windows start at its local time of day, month windows on its local day of
   * the month (clamped to the month's last day), year windows on its local date. A date far in the past
   * is normal. Default: local midnight of 2000-01-01 in `timeZone`, so windows start at local
   * midnight, weeks on Monday, months on the 1st, years on January 1st, hours on the local hour.
   */
  readonly startDate?: Date
  /** IANA time zone in which the anchor's wall-clock time is read. Default `'UTC'`. */
  readonly timeZone?: string
  /**
   * What a request that does not fit in `creditLimit` does. Default `'reject'`: it is refused and nothing
   * is charged. `'balance'`: it is served and the part past the limit is paid from the client's prepaid
   * grants (refused when they cannot cover it; `creditLimit: 0` makes a pure prepaid plan). `'bill'`: it is
   * served and the part past the limit is recorded as overage, up to {@link overageLimit}. A plan uses
   * `'balance'` or `'bill'`, not both.
   */
  readonly overflow?: QuotaOverflow
  /**
   * With `overflow: 'bill'`: the most credits the window may go past `creditLimit` (then requests are
   * refused). Default `UNLIMITED`. Not allowed with another `overflow`.
   */
  readonly overageLimit?: number
}

/** What a window does with a request that does not fit: see {@link QuotaDefinition.overflow}. */
export type QuotaOverflow = 'reject' | 'balance' | 'bill'
