import type { Fetcher } from './fetch-json.js'
import type { HeadersLike } from './headers-like.js'
import { QuotaStatusSource } from './quota-status-source.js'
import type { QuotaStatusView } from './quota-status-view.js'
import { useHeaderSource } from './use-header-source.js'

/** Options of {@link useQuotaStatus}. Ignored when the hook is given a ready {@link QuotaStatusSource}. */
export interface UseQuotaStatusOptions {
  /** Milliseconds between polls while mounted; `0` (default) = no polling. */
  readonly refreshInterval?: number
  /** Loads the status URL; default `fetchJson` (global `fetch`, same-origin cookies). */
  readonly fetcher?: Fetcher
  /** Refetch when the window regains focus or the tab becomes visible. Default `true`. */
  readonly refetchOnFocus?: boolean
  /** A status to show at once (e.g. loaded on the server); the first mount then does not fetch. */
  readonly initialData?: QuotaStatusView
}

/** What {@link useQuotaStatus} returns. */
export interface QuotaStatusResult {
  /** The latest status, or `undefined` until the first one arrives. */
  readonly data: QuotaStatusView | undefined
  /** The last fetch's error (the last good `data` is kept); `undefined` after a success. */
  readonly error: Error | undefined
  /** `true` while the first status is being fetched. */
  readonly isLoading: boolean
  /** `true` while any fetch is in flight. */
  readonly isFetching: boolean
  /** Fetches now; resolves when done, never rejects. Stable across renders. */
  readonly refetch: () => Promise<void>
  /**
   * Applies the `RateLimit`/`RateLimit-Policy` or legacy `X-RateLimit-*` headers of a response the app
   * already received; returns whether they changed the status. Stable across renders.
   */
  readonly updateFromHeaders: (headers: HeadersLike) => boolean
  /** The source underneath, to share with other components or non-React code. */
  readonly source: QuotaStatusSource
}

/**
 * A client's quota status from a status route, kept fresh: fetches on mount (aborted on unmount),
 * polls every `refreshInterval`, refetches on window focus and when an exhausted window renews, and
 * moves with the rate-limit headers passed to `updateFromHeaders`.
 *
 * @param src the status route's URL, or a shared {@link QuotaStatusSource} (its own options then
 * apply), or `null`/`undefined` to stay idle.
 */
export function useQuotaStatus(
  src: string | QuotaStatusSource | null | undefined,
  options: UseQuotaStatusOptions = {},
): QuotaStatusResult {
  return useHeaderSource(
    src,
    (value): value is QuotaStatusSource => value instanceof QuotaStatusSource,
    (o) => new QuotaStatusSource(o),
    options,
  )
}
