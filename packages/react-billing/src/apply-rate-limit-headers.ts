import type { QuotaDuration, QuotaStatusBody, QuotaWindowJson } from '@x/api-billing-core'
import { DURATION_ORDER } from './duration-order.js'
import { type HeadersLike, readHeader } from './headers-like.js'
import { parseRateLimitField, type RateLimitItems } from './parse-rate-limit-field.js'
import { tightestWindow } from './tightest-window.js'

/** A reset estimated from a relative `t` within this of the known reset is the same window. */
const SAME_RESET_TOLERANCE_MS = 1500

/** The items of a `RateLimit`/`RateLimit-Policy` header, or `undefined` when absent or not a valid List. */
function readItems(headers: HeadersLike, name: string): RateLimitItems | undefined {
  const field = readHeader(headers, name)
  return field === undefined ? undefined : parseRateLimitField(field)
}

function readNumber(headers: HeadersLike, name: string): number | undefined {
  const text = readHeader(headers, name)?.trim()
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  return Number(text)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/**
 * The window's new reset and start, given a reset estimated from the headers. Keeps the exact known
 * reset when the estimate is within rounding of it; otherwise the window has rolled over and starts
 * where the old one ended (or `length` before the new reset, when known).
 */
function moveReset(
  old: QuotaWindowJson | undefined,
  resetMs: number,
  lengthMs: number | undefined,
): Pick<QuotaWindowJson, 'start' | 'resetAt'> {
  const oldReset = old === undefined ? undefined : Date.parse(old.resetAt)
  if (
    old !== undefined &&
    oldReset !== undefined &&
    Math.abs(oldReset - resetMs) <= SAME_RESET_TOLERANCE_MS
  ) {
    return { start: old.start, resetAt: old.resetAt }
  }
  let start: number | undefined
  if (lengthMs !== undefined) start = resetMs - lengthMs
  else if (oldReset !== undefined && oldReset < resetMs) start = oldReset
  return { start: start === undefined ? (old?.start ?? iso(resetMs)) : iso(start), resetAt: iso(resetMs) }
}

function fromStandard(
  windows: readonly QuotaWindowJson[],
  limits: RateLimitItems,
  policies: RateLimitItems | undefined,
  serverNow: number,
): QuotaWindowJson[] | undefined {
  const byDuration = new Map(windows.map((w) => [w.duration, w]))
  const durations = new Set<QuotaDuration>(byDuration.keys())
  for (const d of limits.keys()) durations.add(d)
  let changed = false
  const next: QuotaWindowJson[] = []
  for (const duration of DURATION_ORDER) {
    if (!durations.has(duration)) continue
    const old = byDuration.get(duration)
    const limit = limits.get(duration)
    const policy = policies?.get(duration)
    const remaining = limit?.get('r')
    const seconds = limit?.get('t')
    const quota = policy?.get('q') ?? old?.limit ?? undefined
    if (remaining === undefined || seconds === undefined || quota === undefined || quota === null) {
      if (old !== undefined) next.push(old)
      continue
    }
    const window = policy?.get('w')
    const reset = moveReset(old, serverNow + seconds * 1000, window === undefined ? undefined : window * 1000)
    next.push({ duration, limit: quota, used: Math.max(0, quota - remaining), remaining, ...reset })
    changed = true
  }
  return changed ? next : undefined
}

function fromLegacy(
  windows: readonly QuotaWindowJson[],
  headers: HeadersLike,
): QuotaWindowJson[] | undefined {
  const limit = readNumber(headers, 'x-ratelimit-limit')
  const remaining = readNumber(headers, 'x-ratelimit-remaining')
  const resetSeconds = readNumber(headers, 'x-ratelimit-reset')
  if (limit === undefined || remaining === undefined || resetSeconds === undefined) return undefined
  const resetMs = resetSeconds * 1000
  let target: QuotaWindowJson | undefined
  for (const w of windows) {
    if (w.limit !== limit) continue
    const distance = Math.abs(Date.parse(w.resetAt) - resetMs)
    if (target === undefined || distance < Math.abs(Date.parse(target.resetAt) - resetMs)) target = w
  }
  if (target === undefined) return undefined
  const found = target
  const updated: QuotaWindowJson = {
    ...found,
    used: Math.max(0, limit - remaining),
    remaining,
    ...moveReset(found, resetMs, undefined),
  }
  return windows.map((w) => (w === found ? updated : w))
}

/**
 * Applies the rate-limit headers of a response the app already received to a quota status, so a meter
 * moves without another request. Reads, in order of preference:
 *
 * - `RateLimit` (`"day";r=499;t=3600`: remaining `r`, seconds to reset `t`) with `RateLimit-Policy`
 *   (`"day";q=500;w=86400`: quota `q`, window `w` seconds), IETF httpapi ratelimit-headers draft-09,
 *   one item per window named after its duration, as the Express binding writes them. A window the
 *   status lacks is added when the policy gives its quota; a status can even be built from headers alone.
 * - else frappy's legacy `X-RateLimit-Limit`/`-Remaining`/`-Reset` (epoch seconds), which describe one
 *   unnamed window: they update the status window with that limit (the one renewing nearest `Reset` if
 *   several), and need an existing status.
 *
 * `serverNow` is the current time on the server's clock (epoch ms), used to turn `t` into an instant and
 * stored as the new `at`. Windows the headers do not mention (e.g. unlimited ones) are kept. The overall
 * `remaining`, `resetAt` and `allowed` are recomputed from the tightest window.
 *
 * @returns the updated status, or `undefined` when the headers hold nothing applicable (absent or
 * malformed fields, unknown window names) — the caller keeps what it had.
 */
export function applyRateLimitHeaders(
  status: QuotaStatusBody | undefined,
  headers: HeadersLike,
  serverNow: number,
): QuotaStatusBody | undefined {
  const windows = status?.windows ?? []
  const limits = readItems(headers, 'ratelimit')
  const next =
    limits !== undefined && limits.size > 0
      ? fromStandard(windows, limits, readItems(headers, 'ratelimit-policy'), serverNow)
      : fromLegacy(windows, headers)
  if (next === undefined) return undefined
  const tightest = tightestWindow(next)
  return {
    clientId: status?.clientId ?? '',
    allowed: next.every((w) => w.remaining === null || w.remaining >= 1),
    remaining: tightest?.remaining ?? null,
    resetAt: tightest?.resetAt ?? status?.resetAt ?? iso(serverNow),
    at: iso(serverNow),
    windows: next,
  }
}
