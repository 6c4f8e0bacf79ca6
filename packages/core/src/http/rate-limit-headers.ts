import type { Decision, WindowUsage } from '../decision.js'
import { hasRoom } from '../has-room.js'
import { secondsUntil, tightestFirst } from './tightest-first.js'

/** Which header sets {@link rateLimitHeaders} writes. Both default to `true`. */
export interface RateLimitHeaderOptions {
  /** `RateLimit-Policy` and `RateLimit` (IETF httpapi ratelimit-headers: the -09 syntax, unchanged through -11). Default `true`. */
  readonly standard?: boolean
  /** frappy's `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch s). Default `true`. */
  readonly legacy?: boolean
}

/** Largest integer a structured field may carry (RFC 9651 §3.3.1). */
const SF_INTEGER_MAX = 999_999_999_999_999

function sfInteger(value: number): number {
  return Math.min(SF_INTEGER_MAX, Math.max(0, Math.floor(value)))
}

/**
 * `RateLimit-Policy` (ratelimit-headers -09 to -11): one item per limited window, tightest first, named after its
 * duration, with its quota `q` and window length `w` in seconds, e.g.
 * `"day";q=500;w=86400, "month";q=10000;w=2592000`. `undefined` when no window is limited.
 */
export function rateLimitPolicyHeader(decision: Decision): string | undefined {
  return policyOf(tightestFirst(decision))
}

function policyOf(windows: readonly WindowUsage[]): string | undefined {
  const items = windows.map(
    (w) =>
      `"${w.duration}";q=${sfInteger(w.limit)};w=${sfInteger((w.resetAt.getTime() - w.start.getTime()) / 1000)}`,
  )
  return items.length === 0 ? undefined : items.join(', ')
}

/**
 * `RateLimit` (ratelimit-headers -09 to -11): one item per limited window, tightest first, with the remaining credits `r`
 * and the seconds until it renews `t`, e.g. `"day";r=499;t=3600`. `undefined` when no window is limited.
 */
export function rateLimitHeader(decision: Decision): string | undefined {
  return limitOf(decision, tightestFirst(decision))
}

function limitOf(decision: Decision, windows: readonly WindowUsage[]): string | undefined {
  const items = windows.map(
    (w) => `"${w.duration}";r=${sfInteger(w.remaining)};t=${secondsUntil(decision, w.resetAt)}`,
  )
  return items.length === 0 ? undefined : items.join(', ')
}

/**
 * frappy's legacy headers for the tightest window: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, and
 * `X-RateLimit-Reset` as epoch seconds. Empty when no window is limited.
 */
export function legacyRateLimitHeaders(decision: Decision): Record<string, string> {
  const headers: Record<string, string> = {}
  addLegacy(headers, tightestFirst(decision)[0])
  return headers
}

function addLegacy(headers: Record<string, string>, tightest: WindowUsage | undefined): void {
  if (tightest === undefined) return
  headers['X-RateLimit-Limit'] = String(tightest.limit)
  headers['X-RateLimit-Remaining'] = String(tightest.remaining)
  headers['X-RateLimit-Reset'] = String(Math.ceil(tightest.resetAt.getTime() / 1000))
}

/**
 * Seconds a rejected client should wait: until the last of the windows that could not take the cost
 * renews (rounded up, so never earlier than the reset). 0 for an allowed decision.
 */
export function retryAfterSeconds(decision: Decision): number {
  if (decision.allowed) return 0
  let latest = 0
  for (const w of decision.windows) {
    if (!hasRoom(w.used, decision.cost, w.limit)) latest = Math.max(latest, w.resetAt.getTime())
  }
  return latest === 0 ? 0 : secondsUntil(decision, new Date(latest))
}

/**
 * Every header a response about `decision` should carry, as a plain object ready for any framework:
 * the standard pair and the legacy trio (each switchable), plus `Retry-After` when a charge was
 * rejected (not for a status read, whose `cost` is 0).
 */
export function rateLimitHeaders(
  decision: Decision,
  options: RateLimitHeaderOptions = {},
): Record<string, string> {
  const headers: Record<string, string> = {}
  // Sorted once for all three headers.
  const windows = tightestFirst(decision)
  if (options.standard !== false) {
    const policy = policyOf(windows)
    const limit = limitOf(decision, windows)
    if (policy !== undefined) headers['RateLimit-Policy'] = policy
    if (limit !== undefined) headers.RateLimit = limit
  }
  if (options.legacy !== false) addLegacy(headers, windows[0])
  if (!decision.allowed && decision.cost > 0) headers['Retry-After'] = String(retryAfterSeconds(decision))
  return headers
}
