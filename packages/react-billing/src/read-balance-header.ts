import { type HeadersLike, readHeader } from './headers-like.js'
import { parseRateLimitField } from './parse-rate-limit-field.js'

/**
 * The prepaid balance a response's `RateLimit` field reports in its `balance` item (`"balance";r=123`:
 * whole credits available, no `t`), or `undefined` when there is none (or the field is not a valid List).
 */
export function readBalanceHeader(headers: HeadersLike): number | undefined {
  const field = readHeader(headers, 'ratelimit')
  if (field === undefined) return undefined
  return parseRateLimitField(field)?.get('balance')?.get('r')
}
