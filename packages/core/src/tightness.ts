import type { QuotaDuration } from './quota-duration.js'

/** What the tightness rule reads of a window: a decision's `WindowUsage` or any window-shaped object. */
export interface TightnessFields {
  readonly duration: QuotaDuration
  readonly remaining: number
  readonly resetAt: Date
}

/** Shortest first, as in `QUOTA_DURATIONS`; a lookup table, since the rule runs on every request. */
const DURATION_RANK: Readonly<Record<QuotaDuration, number>> = {
  second: 0,
  minute: 1,
  hour: 2,
  day: 3,
  week: 4,
  month: 5,
  year: 6,
}

/**
 * The one "tightest window" rule, as a sort comparator (negative when `a` is tighter): fewest credits
 * remaining; on a tie, the window that renews first; then the shorter duration. The decision's
 * `remaining`/`resetAt`, the order of the `RateLimit` items, `X-RateLimit-*`, the status body and the React
 * meter all follow it. Unlimited windows (`remaining` is `Infinity`) sort last; {@link tightestWindow}
 * leaves them out.
 */
export function compareTightness(a: TightnessFields, b: TightnessFields): number {
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? -1 : 1
  const byReset = a.resetAt.getTime() - b.resetAt.getTime()
  if (byReset !== 0) return byReset
  return DURATION_RANK[a.duration] - DURATION_RANK[b.duration]
}

/**
 * The tightest of `windows` by {@link compareTightness}, never an unlimited one; `undefined` when every
 * window is unlimited (or there are none).
 */
export function tightestWindow<W extends TightnessFields>(windows: readonly W[]): W | undefined {
  let tightest: W | undefined
  for (const w of windows) {
    if (w.remaining === Number.POSITIVE_INFINITY) continue
    if (tightest === undefined || compareTightness(w, tightest) < 0) tightest = w
  }
  return tightest
}
