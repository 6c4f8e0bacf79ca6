import type { LedgerBucket } from './ledger-bucket.js'

/** Arguments of `UsageStore.scanUsage`: one page of every client's ledger buckets in `[from, to)`. */
export interface UsageScan {
  /** First bucket start included (epoch ms). */
  readonly from: number
  /** First bucket start excluded (epoch ms). */
  readonly to: number
  /** Resume strictly after this row (the last row of the previous page). Default: from the beginning. */
  readonly after?: { readonly clientId: string; readonly start: number }
  /** Most rows in the page: a positive integer. */
  readonly limit: number
}

/** One client's ledger bucket, as `UsageStore.scanUsage` pages them. */
export interface ScannedBucket extends LedgerBucket {
  readonly clientId: string
}
