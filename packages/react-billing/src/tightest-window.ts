import type { QuotaWindowJson } from '@x/api-billing-core'
import { DURATION_ORDER } from './duration-order.js'

/**
 * The tightest of a status's windows, as core ranks them: fewest credits remaining, then the one that
 * renews first, then the shorter duration. Unlimited windows are never tightest; `undefined` when every
 * window is unlimited (or there is none).
 */
export function tightestWindow(windows: readonly QuotaWindowJson[]): QuotaWindowJson | undefined {
  let best: QuotaWindowJson | undefined
  for (const w of windows) {
    if (w.remaining === null || w.limit === null) continue
    if (best === undefined || compare(w, best) < 0) best = w
  }
  return best
}

function compare(a: QuotaWindowJson, b: QuotaWindowJson): number {
  return (
    (a.remaining ?? 0) - (b.remaining ?? 0) ||
    Date.parse(a.resetAt) - Date.parse(b.resetAt) ||
    DURATION_ORDER.indexOf(a.duration) - DURATION_ORDER.indexOf(b.duration)
  )
}
