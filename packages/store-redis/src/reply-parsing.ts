import type { ChargeResult, LedgerBucket } from '@x/api-billing-core'
import { decodeChargeAnswer } from './credit-outcome-reply.js'

/** A reply as an array (RESP2 and RESP3 arrays and sets alike); throws on anything else. */
export function replyArray(reply: unknown, what: string): unknown[] {
  if (Array.isArray(reply)) return reply
  if (reply instanceof Set) return [...reply]
  throw new TypeError(`unexpected ${what} reply from Redis: ${typeof reply}`)
}

/** A counter or credit value as a number (`null`, a missing key, is 0). */
export function replyNumber(value: unknown): number {
  if (value === null || value === undefined) return 0
  return typeof value === 'number' ? value : Number(String(value))
}

/**
 * The charge script's answer as a `ChargeResult`; a replay returns the stored first answer, with its
 * credit outcome when that charge had overflow windows.
 */
export function chargeResult(reply: unknown): ChargeResult {
  const values = replyArray(reply, 'charge')
  const allowed = replyNumber(values[0]) === 1
  if (replyNumber(values[1]) === 1) return decodeChargeAnswer(String(values[2] ?? ''), true, true)
  return { allowed, used: values.slice(2).map(replyNumber), replayed: false }
}

/** The credit charge script's answer `{allowed, replayed, outcome}` as a `ChargeResult`. */
export function creditChargeResult(reply: unknown): ChargeResult {
  const values = replyArray(reply, 'credit charge')
  const replayed = replyNumber(values[1]) === 1
  return decodeChargeAnswer(String(values[2] ?? ''), replayed || replyNumber(values[0]) === 1, replayed)
}

/** The read-usage script's flat `start, credits, fromBalance, overage, ...` list as ledger buckets. */
export function ledgerBuckets(reply: unknown): LedgerBucket[] {
  const values = replyArray(reply, 'ledger')
  const buckets: LedgerBucket[] = []
  for (let i = 0; i + 3 < values.length; i += 4) {
    buckets.push({
      start: replyNumber(values[i]),
      credits: replyNumber(values[i + 1]),
      fromBalance: replyNumber(values[i + 2]),
      overage: replyNumber(values[i + 3]),
    })
  }
  return buckets
}
