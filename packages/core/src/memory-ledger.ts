import { type LedgerBucket, ledgerBucketStart } from './ledger-bucket.js'
import {
  BUCKET_SIZE,
  ledgerOffset,
  type MemoryClientRecord,
  spliceMemoryClientRecord,
} from './memory-client-record.js'

/** Offsets inside a ledger bucket block. */
/** Where a ledger bucket keeps its net credits, after its start. */
export const BUCKET_CREDITS = 1
const FROM_BALANCE = 2
const OVERAGE = 3

/**
 * Adds `credits` to the ledger bucket of `at`, creating the bucket when it is missing. Charges land in the
 * newest bucket almost always, so that one is looked at first. Returns the record, or an exact-size copy
 * with the new bucket.
 */
export function addToLedger(record: MemoryClientRecord, at: number, credits: number): MemoryClientRecord {
  const start = ledgerBucketStart(at)
  const last = record.length - BUCKET_SIZE
  if (record[last] === start && last >= ledgerOffset(record)) {
    record[last + BUCKET_CREDITS] = (record[last + BUCKET_CREDITS] as number) + credits
    return record
  }
  const i = bucketIndex(record, start)
  if (record[i] === start && i < record.length) {
    record[i + BUCKET_CREDITS] = (record[i + BUCKET_CREDITS] as number) + credits
    return record
  }
  const next = spliceMemoryClientRecord(record, i, 0, BUCKET_SIZE)
  next[i] = start
  next[i + BUCKET_CREDITS] = credits
  next[i + FROM_BALANCE] = 0
  next[i + OVERAGE] = 0
  return next
}

/**
 * Adds what a charge paid from grants and billed as overage to the ledger bucket of `at`, which
 * {@link addToLedger} has just made sure of.
 */
export function addCreditToLedger(
  record: MemoryClientRecord,
  at: number,
  fromBalance: number,
  overage: number,
): void {
  const i = bucketIndex(record, ledgerBucketStart(at))
  record[i + FROM_BALANCE] = (record[i + FROM_BALANCE] as number) + fromBalance
  record[i + OVERAGE] = (record[i + OVERAGE] as number) + overage
}

/**
 * Takes `credits` (of which `fromBalance` and `overage`) from the ledger bucket of `at`, each never
 * below zero; a missing bucket stays missing.
 */
export function refundLedger(
  record: MemoryClientRecord,
  at: number,
  credits: number,
  fromBalance: number,
  overage: number,
): void {
  const start = ledgerBucketStart(at)
  const i = bucketIndex(record, start)
  if (record[i] !== start || i >= record.length) return
  record[i + BUCKET_CREDITS] = Math.max(0, (record[i + BUCKET_CREDITS] as number) - credits)
  record[i + FROM_BALANCE] = Math.max(0, (record[i + FROM_BALANCE] as number) - fromBalance)
  record[i + OVERAGE] = Math.max(0, (record[i + OVERAGE] as number) - overage)
}

/** The non-empty buckets whose start lies in `[from, to)`, ordered by start. */
export function ledgerBuckets(record: MemoryClientRecord, from: number, to: number): LedgerBucket[] {
  const buckets: LedgerBucket[] = []
  for (let i = bucketIndex(record, from); i < record.length; i += BUCKET_SIZE) {
    const start = record[i] as number
    if (start >= to) break
    const credits = record[i + BUCKET_CREDITS] as number
    if (credits > 0) {
      buckets.push({
        start,
        credits,
        fromBalance: record[i + FROM_BALANCE] as number,
        overage: record[i + OVERAGE] as number,
      })
    }
  }
  return buckets
}

/** Removes the buckets whose start lies in `[from, to)`; returns the record or an exact-size copy. */
export function dropLedgerRange(record: MemoryClientRecord, from: number, to: number): MemoryClientRecord {
  const first = bucketIndex(record, from)
  const end = bucketIndex(record, to)
  return end > first ? spliceMemoryClientRecord(record, first, end - first, 0) : record
}

/** Whether the record holds no ledger bucket. */
export function isLedgerEmpty(record: MemoryClientRecord): boolean {
  return ledgerOffset(record) === record.length
}

/** The index of the first bucket starting at or after `start` (the record's length when none does). */
function bucketIndex(record: MemoryClientRecord, start: number): number {
  const offset = ledgerOffset(record)
  let low = 0
  let high = (record.length - offset) / BUCKET_SIZE
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((record[offset + middle * BUCKET_SIZE] as number) < start) low = middle + 1
    else high = middle
  }
  return offset + low * BUCKET_SIZE
}
