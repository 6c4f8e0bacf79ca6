import type { BalanceBody } from './balance-body.js'
import type { HeadersLike } from './headers-like.js'
import { parseBalanceBody } from './parse-balance-body.js'
import { PollingSource, type PollingSourceOptions } from './polling-source.js'
import { readBalanceHeader } from './read-balance-header.js'

/** Options of a {@link BalanceSource}: those of a {@link PollingSource} of {@link BalanceBody}. */
export type BalanceSourceOptions = PollingSourceOptions<BalanceBody>

/** After a grant starts or expires, wait this long before refetching, so the server sees it too. */
const CHANGE_GRACE_MS = 250
/** Never refetch for a grant change sooner than this. */
const MIN_CHANGE_REFETCH_MS = 5000

/**
 * A client's prepaid balance, kept up to date: fetches the balance route (see {@link PollingSource} for
 * polling, focus refetch and abort), refetches by itself when a pending grant starts or a grant expires,
 * and takes the `"balance";r=…` item of the `RateLimit` header of any other response with
 * {@link BalanceSource.updateFromHeaders}.
 *
 * Create one at module level to share it, or let `useBalance` own one.
 */
export class BalanceSource extends PollingSource<BalanceBody> {
  constructor(options: BalanceSourceOptions = {}) {
    super(options, parseBalanceBody)
  }

  /**
   * Sets `available` from the `RateLimit` header's `balance` item of a response the app already received
   * (the grants' own numbers are refreshed by the next fetch). Needs data already.
   *
   * @returns `true` when the header changed the balance.
   */
  updateFromHeaders(headers: HeadersLike): boolean {
    const data = this.getSnapshot().data
    const r = readBalanceHeader(headers)
    // The header carries whole credits: a fractional balance with the same floor has not moved.
    if (data === undefined || r === undefined || Math.floor(data.available) === r) return false
    this.setData({ ...data, available: r })
    return true
  }

  protected override refreshDue(data: BalanceBody): number | undefined {
    const now = this.now()
    let soonest: number | undefined
    for (const g of data.grants) {
      for (const at of [g.effectiveAt, g.expiresAt]) {
        const due = at === undefined ? Number.NaN : Date.parse(at) - now
        if (!(due > 0)) continue
        soonest = soonest === undefined ? due : Math.min(soonest, due)
      }
    }
    return soonest === undefined ? undefined : Math.max(MIN_CHANGE_REFETCH_MS, soonest + CHANGE_GRACE_MS)
  }
}
