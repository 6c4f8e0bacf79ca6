import { type Decision, type RateLimitHeaderOptions, rateLimitHeaders } from '@x/api-billing-core'
import type { Response } from 'express'

/**
 * Sets the rate-limit headers of `decision` on `res` (frappy's `create_response_with_header`):
 * `RateLimit-Policy` and `RateLimit` (draft-09, tightest window first), `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds), and `Retry-After` for a rejected
 * decision. Both sets are on by default; switch either off with `options`.
 * @returns `false` (and changes nothing) when the headers were already sent, else `true`.
 */
export function applyBillingHeaders(
  res: Response,
  decision: Decision,
  options: RateLimitHeaderOptions = {},
): boolean {
  if (res.headersSent) return false
  const headers = rateLimitHeaders(decision, options)
  // setHeader rather than res.set: the values are plain strings, so Express's per-header handling
  // (content-type charset, arrays) has nothing to do.
  for (const name in headers) res.setHeader(name, headers[name] as string)
  return true
}
