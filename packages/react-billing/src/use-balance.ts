import type { BalanceBody } from './balance-body.js'
import { BalanceSource } from './balance-source.js'
import type { Fetcher } from './fetch-json.js'
import type { HeadersLike } from './headers-like.js'
import { useHeaderSource } from './use-header-source.js'

/** Options of {@link useBalance}. Ignored when the hook is given a ready {@link BalanceSource}. */
export interface UseBalanceOptions {
  /** Milliseconds between polls while mounted; `0` (default) = no polling. */
  readonly refreshInterval?: number
  /** Loads the balance URL; default `fetchJson` (global `fetch`, same-origin cookies). */
  readonly fetcher?: Fetcher
  /** Refetch when the window regains focus or the tab becomes visible. Default `true`. */
  readonly refetchOnFocus?: boolean
  /** A balance to show at once (e.g. loaded on the server); the first mount then does not fetch. */
  readonly initialData?: BalanceBody
}

/** What {@link useBalance} returns. */
export interface BalanceResult {
  /** The latest balance, or `undefined` until the first one arrives. */
  readonly data: BalanceBody | undefined
  /** The last fetch's error (the last good `data` is kept); `undefined` after a success. */
  readonly error: Error | undefined
  /** `true` while the first balance is being fetched. */
  readonly isLoading: boolean
  /** `true` while any fetch is in flight. */
  readonly isFetching: boolean
  /** Fetches now; resolves when done, never rejects. Stable across renders. */
  readonly refetch: () => Promise<void>
  /** Applies the `RateLimit` header's `balance` item of a response; returns whether it changed. Stable. */
  readonly updateFromHeaders: (headers: HeadersLike) => boolean
  /** The source underneath, to share with other components or non-React code. */
  readonly source: BalanceSource
}

/**
 * A client's prepaid balance from a balance route, kept fresh: fetches on mount (aborted on unmount),
 * polls every `refreshInterval`, refetches on window focus and when a grant starts or expires.
 *
 * @param src the balance route's URL, or a shared {@link BalanceSource} (its own options then apply),
 * or `null`/`undefined` to stay idle.
 */
export function useBalance(
  src: string | BalanceSource | null | undefined,
  options: UseBalanceOptions = {},
): BalanceResult {
  return useHeaderSource(
    src,
    (value): value is BalanceSource => value instanceof BalanceSource,
    (o) => new BalanceSource(o),
    options,
  )
}
