import type { CreditScale } from './credit-scale.js'
import type { LedgerBucket } from './ledger-bucket.js'

/** What a client spent in a range, by where it came from (`ApiBilling.getUsageSummary`). */
export interface UsageSummary {
  /** Credits charged in all (net of refunds). */
  readonly credits: number
  /** The part paid from prepaid grants. */
  readonly fromBalance: number
  /** The part billed as overage past `'bill'` windows' limits. */
  readonly overage: number
}

/** Sums ledger buckets into a {@link UsageSummary} in credits. */
export function summarizeUsage(buckets: readonly LedgerBucket[], scale: CreditScale): UsageSummary {
  let credits = 0
  let fromBalance = 0
  let overage = 0
  for (const b of buckets) {
    credits += b.credits
    fromBalance += b.fromBalance
    overage += b.overage
  }
  return {
    credits: scale.toCredits(credits),
    fromBalance: scale.toCredits(fromBalance),
    overage: scale.toCredits(overage),
  }
}
