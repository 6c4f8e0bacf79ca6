import type { QuotaOverflow } from '@x/api-billing-core'
import type { QuotaWindowView } from './quota-status-view.js'

/** A window's overflow state, see {@link windowOverflow}. */
export interface WindowOverflow {
  /** What a request past the limit does; `'reject'` when the body does not say. */
  readonly overflow: QuotaOverflow
  /** How far `used` may go past the limit: `null` = unlimited; `0` for a `'reject'` window. */
  readonly overageLimit: number | null
  /** Credits used past the limit (overage billed, or paid from the balance); `0` when within it. */
  readonly over: number
}

/** The overflow fields of a window, with the defaults of an older server's body (`'reject'`, `0`). */
export function windowOverflow(w: QuotaWindowView): WindowOverflow {
  const overflow = w.overflow ?? 'reject'
  if (overflow === 'reject' || w.limit === null) return { overflow, overageLimit: 0, over: 0 }
  const overageLimit = w.overageLimit === undefined ? null : w.overageLimit
  return { overflow, overageLimit, over: Math.max(0, w.used - w.limit) }
}

/**
 * Credits a window can still take now: its `remaining`, plus what its overflow allows — the rest of the
 * overage allowance for `'bill'` (`Infinity` when unlimited), the prepaid `balance` for `'balance'`
 * (none when `null`). `Infinity` for an unlimited window. Below 1 the window blocks requests.
 */
export function windowHeadroom(w: QuotaWindowView, balance: number | null | undefined): number {
  if (w.limit === null || w.remaining === null) return Number.POSITIVE_INFINITY
  const remaining = Math.max(0, w.remaining)
  const { overflow, overageLimit } = windowOverflow(w)
  if (overflow === 'balance') return remaining + Math.max(0, balance ?? 0)
  if (overflow === 'bill') {
    if (overageLimit === null) return Number.POSITIVE_INFINITY
    return remaining + Math.max(0, w.limit + overageLimit - Math.max(w.used, w.limit))
  }
  return remaining
}
