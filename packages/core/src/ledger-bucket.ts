/**
 * Length of one usage-ledger bucket: 15 minutes. Every time zone in use today is offset from UTC by a
 * multiple of 15 minutes (India +5:30, Nepal +5:45, Chatham +12:45), so a local day is always a whole
 * number of buckets and daily totals are exact in every zone while a busy client still adds at most
 * 96 ledger rows a day.
 */
export const LEDGER_BUCKET_MS = 15 * 60 * 1000

/** Credits charged to one client in one ledger bucket. */
export interface LedgerBucket {
  /** Start of the bucket, epoch milliseconds, a multiple of {@link LEDGER_BUCKET_MS}. */
  readonly start: number
  /** Net credits charged in the bucket (charges minus refunds, never below zero). */
  readonly credits: number
  /** The part of `credits` paid from prepaid grants (net of refunds, never below zero). */
  readonly fromBalance: number
  /** The part of `credits` billed as overage (net of refunds, never below zero). */
  readonly overage: number
}

/** The start (epoch ms) of the ledger bucket that contains the instant `at` (epoch ms). */
export function ledgerBucketStart(at: number): number {
  return Math.floor(at / LEDGER_BUCKET_MS) * LEDGER_BUCKET_MS
}
