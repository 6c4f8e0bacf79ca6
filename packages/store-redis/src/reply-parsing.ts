import type { ChargeResult, LedgerBucket } from '@x/api-billing-core'

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

/** The charge script's answer as a `ChargeResult`. */
export function chargeResult(reply: unknown): ChargeResult {
  const values = replyArray(reply, 'charge')
  const allowed = replyNumber(values[0]) === 1
  if (replyNumber(values[1]) === 1) {
    const stored = String(values[2] ?? '')
    return { allowed: true, used: stored === '' ? [] : stored.split(',').map(Number), replayed: true }
  }
  return { allowed, used: values.slice(2).map(replyNumber), replayed: false }
}

/** The read-usage script's flat `start, credits, ...` list as ledger buckets. */
export function ledgerBuckets(reply: unknown): LedgerBucket[] {
  const values = replyArray(reply, 'ledger')
  const buckets: LedgerBucket[] = []
  for (let i = 0; i + 1 < values.length; i += 2) {
    buckets.push({ start: replyNumber(values[i]), credits: replyNumber(values[i + 1]) })
  }
  return buckets
}
