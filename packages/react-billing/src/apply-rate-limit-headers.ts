import type { QuotaDuration } from '@x/api-billing-core'
import { DURATION_ORDER, isDuration } from './duration-order.js'
import { type HeadersLike, readHeader } from './headers-like.js'
import { parseRateLimitField, type RateLimitItems } from './parse-rate-limit-field.js'
import type { QuotaStatusView, QuotaWindowView } from './quota-status-view.js'
import { tightestWindow } from './tightest-window.js'
import { windowHeadroom } from './window-headroom.js'

/** What a window the status did not have is taken to do past its limit (the headers do not say). */
const NO_OVERFLOW = { overflow: 'reject', overageLimit: 0 } as const

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
  old: QuotaWindowView | undefined,
  resetMs: number,
  lengthMs: number | undefined,
): Pick<QuotaWindowView, 'start' | 'resetAt'> {
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
  windows: readonly QuotaWindowView[],
  limits: RateLimitItems,
  policies: RateLimitItems | undefined,
  serverNow: number,
): QuotaWindowView[] | undefined {
  const byDuration = new Map(windows.map((w) => [w.duration, w]))
  const durations = new Set<QuotaDuration>(byDuration.keys())
  for (const d of limits.keys()) if (isDuration(d)) durations.add(d)
  let changed = false
  const next: QuotaWindowView[] = []
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
    next.push({
      ...(old ?? NO_OVERFLOW),
      duration,
      limit: quota,
      used: usedFrom(old, quota, remaining, reset.resetAt),
      remaining,
      ...reset,
    })
    changed = true
  }
  return changed ? next : undefined
}

/**
 * `used` from a quota and `r`. `r` stops at 0, so past the limit of an overflow window the headers
 * cannot tell how far: the known `used` is kept while the window is the same period.
 */
function usedFrom(
  old: QuotaWindowView | undefined,
  quota: number,
  remaining: number,
  resetAt: string,
): number {
  const used = Math.max(0, quota - remaining)
  if (remaining > 0 || old === undefined || old.resetAt !== resetAt) return used
  return Math.max(used, old.used)
}

/** The balance a `"balance";r=…` item reports; a fractional known balance with the same floor is kept. */
function balanceFrom(limits: RateLimitItems | undefined, old: number | null | undefined): number | undefined {
  const r = limits?.get('balance')?.get('r')
  if (r === undefined) return undefined
  return typeof old === 'number' && Math.floor(old) === r ? old : r
}

function fromLegacy(
  windows: readonly QuotaWindowView[],
  headers: HeadersLike,
): QuotaWindowView[] | undefined {
  const limit = readNumber(headers, 'x-ratelimit-limit')
  const remaining = readNumber(headers, 'x-ratelimit-remaining')
  const resetSeconds = readNumber(headers, 'x-ratelimit-reset')
  if (limit === undefined || remaining === undefined || resetSeconds === undefined) return undefined
  const resetMs = resetSeconds * 1000
  let target: QuotaWindowView | undefined
  for (const w of windows) {
    if (w.limit !== limit) continue
    const distance = Math.abs(Date.parse(w.resetAt) - resetMs)
    if (target === undefined || distance < Math.abs(Date.parse(target.resetAt) - resetMs)) target = w
  }
  if (target === undefined) return undefined
  const found = target
  const updated: QuotaWindowView = {
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
 *   An item named `balance` (`"balance";r=123`, no `t`) is the prepaid balance: it sets `balance`.
 * - else frappy's legacy `X-RateLimit-Limit`/`-Remaining`/`-Reset` (epoch seconds), which describe one
 *   unnamed window: they update the status window with that limit (the one renewing nearest `Reset` if
 *   several), and need an existing status.
 *
 * `serverNow` is the current time on the server's clock (epoch ms), used to turn `t` into an instant and
 * stored as the new `at`. Windows the headers do not mention (e.g. unlimited ones) are kept, and so are a
 * window's `overflow` and `overageLimit`. The overall `remaining`, `resetAt` and `allowed` are recomputed
 * (`allowed` counting what overflow windows may still take).
 *
 * @returns the updated status, or `undefined` when the headers hold nothing applicable (absent or
 * malformed fields, unknown window names) — the caller keeps what it had.
 */
export function applyRateLimitHeaders(
  status: QuotaStatusView | undefined,
  headers: HeadersLike,
  serverNow: number,
): QuotaStatusView | undefined {
  const windows = status?.windows ?? []
  const limits = readItems(headers, 'ratelimit')
  const balance = balanceFrom(limits, status?.balance)
  const next =
    limits !== undefined && limits.size > 0
      ? fromStandard(windows, limits, readItems(headers, 'ratelimit-policy'), serverNow)
      : fromLegacy(windows, headers)
  if (next === undefined && balance === undefined) return undefined
  const shown = next ?? windows
  const tightest = tightestWindow(shown)
  const nextBalance = balance ?? status?.balance ?? null
  return {
    clientId: status?.clientId ?? '',
    allowed: shown.every((w) => windowHeadroom(w, nextBalance) >= 1),
    remaining: tightest?.remaining ?? null,
    resetAt: tightest?.resetAt ?? status?.resetAt ?? iso(serverNow),
    at: iso(serverNow),
    balance: nextBalance,
    windows: shown,
  }
}
