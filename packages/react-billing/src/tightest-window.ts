import { DURATION_ORDER } from './duration-order.js'
import type { QuotaWindowView } from './quota-status-view.js'

/** A limited window of a status: one whose `limit` and `remaining` are numbers (not `null`). */
export type LimitedWindow = QuotaWindowView & { readonly limit: number; readonly remaining: number }

function isLimited<W extends QuotaWindowView>(w: W): w is W & LimitedWindow {
  return w.limit !== null && w.remaining !== null
}

/**
 * The one "tightest window" rule, as a sort comparator over limited windows (negative when `a` is
 * tighter): fewest credits remaining; on a tie, the window that renews first (earlier `resetAt`); then
 * the shorter duration. A mirror of core's `compareTightness` for the JSON shape, so this package does
 * not import core at run time.
 */
export function compareTightness(a: LimitedWindow, b: LimitedWindow): number {
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? -1 : 1
  const byReset = Date.parse(a.resetAt) - Date.parse(b.resetAt)
  if (byReset !== 0 && !Number.isNaN(byReset)) return byReset
  return DURATION_ORDER.indexOf(a.duration) - DURATION_ORDER.indexOf(b.duration)
}

/**
 * The tightest of a status's windows by {@link compareTightness}, as core's `tightestWindow` picks it.
 * Unlimited windows (`limit`/`remaining` `null`) are never tightest; `undefined` when every window is
 * unlimited (or there is none).
 */
export function tightestWindow<W extends QuotaWindowView>(windows: readonly W[]): W | undefined {
  let tightest: (W & LimitedWindow) | undefined
  for (const w of windows) {
    if (!isLimited(w)) continue
    if (tightest === undefined || compareTightness(w, tightest) < 0) tightest = w
  }
  return tightest
}
