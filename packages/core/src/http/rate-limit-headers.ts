import type { Decision, WindowUsage } from '../decision.js'
import { compareTightness, type TightnessFields } from '../tightness.js'
import { isWindowViolated } from '../window-violated.js'
import { secondsUntil, tightestFirst } from './tightest-first.js'

/** Which header sets {@link rateLimitHeaders} writes. Both default to `true`. */
export interface RateLimitHeaderOptions {
  /** `RateLimit-Policy` and `RateLimit` (IETF httpapi ratelimit-headers: the -09 syntax, unchanged through -10). Default `true`. */
  readonly standard?: boolean
  /** frappy's `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch s). Default `true`. */
  readonly legacy?: boolean
}

/**
 * Name of the item that carries a client's prepaid credits in `RateLimit` and `RateLimit-Policy`, next to
 * the window items (which are named after their duration, so the names never collide).
 */
export const BALANCE_POLICY = 'balance'

/** Largest integer a structured field may carry (RFC 9651 §3.3.1). */
const SF_INTEGER_MAX = 999_999_999_999_999

/**
 * A credit amount as the sf-integer the draft requires: rounded down (a fractional limit is written as
 * its whole part; a remaining 2.5 as 2, so a client is never promised a credit it does not have),
 * clamped to 0 and to the largest sf-integer.
 */
function sfInteger(value: number): number {
  return Math.min(SF_INTEGER_MAX, Math.max(0, Math.floor(value)))
}

/**
 * `RateLimit-Policy` (ratelimit-headers -09 and -10): one item per advertised window ({@link tightestFirst}),
 * tightest first, named after its duration, with its quota `q` (the limit as configured, rounded down)
 * and window length `w` in seconds, e.g. `"day";q=500;w=86400, "month";q=10000;w=2592000`; then, when the
 * plan spends a prepaid balance, `"balance";q=<credits available, rounded down>` (no `w`: a balance has no
 * window). `undefined` when there is nothing to advertise.
 */
export function rateLimitPolicyHeader(decision: Decision): string | undefined {
  return policyOf(decision, tightestFirst(decision))
}

function policyOf(decision: Decision, windows: readonly WindowUsage[]): string | undefined {
  const items = windows.map(
    (w) =>
      `"${w.duration}";q=${sfInteger(w.limit)};w=${sfInteger((w.resetAt.getTime() - w.start.getTime()) / 1000)}`,
  )
  if (decision.balance !== undefined) items.push(`"${BALANCE_POLICY}";q=${sfInteger(decision.balance)}`)
  return items.length === 0 ? undefined : items.join(', ')
}

/**
 * `RateLimit` (ratelimit-headers -09 and -10): one item per advertised window, tightest first, with the
 * remaining credits `r` (rounded down) and the seconds until it renews `t`, e.g. `"day";r=499;t=3600`;
 * then, when the plan spends a prepaid balance, `"balance";r=<credits available, rounded down>` without
 * `t` (the draft makes `t` optional; a balance does not renew). `undefined` when there is nothing to
 * advertise.
 */
export function rateLimitHeader(decision: Decision): string | undefined {
  return limitOf(decision, tightestFirst(decision))
}

function limitOf(decision: Decision, windows: readonly WindowUsage[]): string | undefined {
  const items = windows.map(
    (w) => `"${w.duration}";r=${sfInteger(w.remaining)};t=${secondsUntil(decision, w.resetAt)}`,
  )
  if (decision.balance !== undefined) items.push(`"${BALANCE_POLICY}";r=${sfInteger(decision.balance)}`)
  return items.length === 0 ? undefined : items.join(', ')
}

/**
 * frappy's legacy headers for the tightest window: `X-RateLimit-Limit` (the limit as configured),
 * `X-RateLimit-Remaining`, and `X-RateLimit-Reset` as epoch seconds, the numbers rounded down. With a
 * prepaid balance, a window with `overflow: 'balance'` counts the balance in its remaining credits (what
 * it can still take), so a pure prepaid plan (`creditLimit: 0`) shows `Limit: 0` and `Remaining:` the
 * balance rather than "0 remaining" while its requests succeed; the tightest window is chosen by those
 * counts. Empty when no window is limited.
 */
export function legacyRateLimitHeaders(decision: Decision): Record<string, string> {
  const headers: Record<string, string> = {}
  addLegacy(headers, decision, tightestFirst(decision)[0])
  return headers
}

/** A window with what it can still take: its own remaining credits, plus the balance for a prepaid window. */
interface LegacyWindow extends TightnessFields {
  readonly limit: number
}

function legacyWindow(decision: Decision, tightest: WindowUsage | undefined): LegacyWindow | undefined {
  const { balance } = decision
  if (balance === undefined) return tightest
  let chosen: LegacyWindow | undefined
  for (const w of decision.windows) {
    if (w.limit === Number.POSITIVE_INFINITY) continue
    const candidate =
      w.overflow === 'balance' ? { ...w, remaining: w.remaining + balance } : (w as LegacyWindow)
    if (chosen === undefined || compareTightness(candidate, chosen) < 0) chosen = candidate
  }
  return chosen
}

function addLegacy(
  headers: Record<string, string>,
  decision: Decision,
  tightest: WindowUsage | undefined,
): void {
  const w = legacyWindow(decision, tightest)
  if (w === undefined) return
  headers['X-RateLimit-Limit'] = String(sfInteger(w.limit))
  headers['X-RateLimit-Remaining'] = String(sfInteger(w.remaining))
  headers['X-RateLimit-Reset'] = String(Math.ceil(w.resetAt.getTime() / 1000))
}

/**
 * Seconds a client refused by a quota should wait: until the last of the windows that could not take the
 * cost renews (rounded up, so never earlier than the reset). 0 for an allowed decision and for one refused
 * by the balance (`rejectedBy: 'balance'`: waiting does not add credits).
 */
export function retryAfterSeconds(decision: Decision): number {
  if (decision.allowed || decision.rejectedBy === 'balance') return 0
  let latest = 0
  for (const w of decision.windows) {
    if (isWindowViolated(w, decision.cost)) latest = Math.max(latest, w.resetAt.getTime())
  }
  return latest === 0 ? 0 : secondsUntil(decision, new Date(latest))
}

/**
 * Every header a response about `decision` should carry, as a plain object ready for any framework:
 * the standard pair and the legacy trio (each switchable), plus `Retry-After` when a charge was
 * rejected by a quota (not for a status read, whose `cost` is 0, nor for a `402`, which waiting does not
 * cure).
 */
export function rateLimitHeaders(
  decision: Decision,
  options: RateLimitHeaderOptions = {},
): Record<string, string> {
  const headers: Record<string, string> = {}
  // Sorted once for all three headers.
  const windows = tightestFirst(decision)
  if (options.standard !== false) {
    const policy = policyOf(decision, windows)
    const limit = limitOf(decision, windows)
    if (policy !== undefined) headers['RateLimit-Policy'] = policy
    if (limit !== undefined) headers.RateLimit = limit
  }
  if (options.legacy !== false) addLegacy(headers, decision, windows[0])
  if (!decision.allowed && decision.cost > 0 && decision.rejectedBy !== 'balance') {
    headers['Retry-After'] = String(retryAfterSeconds(decision))
  }
  return headers
}
