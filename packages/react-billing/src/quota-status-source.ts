import { applyRateLimitHeaders } from './apply-rate-limit-headers.js'
import type { HeadersLike } from './headers-like.js'
import { parseQuotaStatusBody } from './parse-quota-status-body.js'
import { PollingSource, type PollingSourceOptions } from './polling-source.js'
import type { QuotaStatusView } from './quota-status-view.js'

/** Options of a {@link QuotaStatusSource}: those of a {@link PollingSource} of {@link QuotaStatusView}. */
export type QuotaStatusSourceOptions = PollingSourceOptions<QuotaStatusView>

/** After an exhausted window renews, wait this long before refetching, so the server sees the new window. */
const RENEW_GRACE_MS = 250
/** Never refetch for a renewal sooner than this (a per-second window must not mean a request per second). */
const MIN_RENEW_REFETCH_MS = 5000

/**
 * The quota status of one client, kept up to date: fetches the status route (see {@link PollingSource}
 * for polling, focus refetch and abort), applies the rate-limit headers of any other response with
 * {@link QuotaStatusSource.updateFromHeaders}, and refetches by itself when an exhausted window renews.
 *
 * Create one per client at module level to share it between components and non-React code (e.g. the
 * app's API client calls `updateFromHeaders` after each call), or let `useQuotaStatus` own one.
 */
export class QuotaStatusSource extends PollingSource<QuotaStatusView> {
  /** Server clock minus client clock (ms), learned from the last status's `at`; 0 until known. */
  private clockOffset = 0

  constructor(options: QuotaStatusSourceOptions = {}) {
    super(options, parseQuotaStatusBody)
    if (options.initialData !== undefined) this.learnClock(options.initialData)
  }

  /** The current time on the server's clock (epoch ms), estimated from the client clock and the last `at`. */
  serverNow(): number {
    return this.now() + this.clockOffset
  }

  /**
   * Applies the `RateLimit`/`RateLimit-Policy` (draft-09) or legacy `X-RateLimit-*` headers of a response
   * the app already received, so the status moves without a request (see `applyRateLimitHeaders`).
   * Works before the first fetch too (standard headers alone can build a status).
   *
   * @returns `true` when the headers changed the status, `false` when they held nothing applicable.
   */
  updateFromHeaders(headers: HeadersLike): boolean {
    const next = applyRateLimitHeaders(this.getSnapshot().data, headers, this.serverNow())
    if (next === undefined) return false
    this.setData(next)
    return true
  }

  protected override onData(data: QuotaStatusView): void {
    this.learnClock(data)
  }

  protected override refreshDue(data: QuotaStatusView): number | undefined {
    let soonest: number | undefined
    const now = this.serverNow()
    for (const w of data.windows) {
      if (w.remaining === null || w.remaining >= 1) continue
      const due = Date.parse(w.resetAt) - now + RENEW_GRACE_MS
      soonest = soonest === undefined ? due : Math.min(soonest, due)
    }
    return soonest === undefined ? undefined : Math.max(MIN_RENEW_REFETCH_MS, soonest)
  }

  private learnClock(data: QuotaStatusView): void {
    const at = Date.parse(data.at)
    if (!Number.isNaN(at)) this.clockOffset = at - this.now()
  }
}
