import { useCallback, useEffect } from 'react'
import type { Fetcher } from './fetch-json.js'
import type { HeadersLike } from './headers-like.js'
import type { PollingSource, PollingSourceOptions, SourceState } from './polling-source.js'
import { useKeyedInstance } from './use-keyed-instance.js'
import { useSourceState } from './use-source-state.js'

/** The hook options of a source that also follows response headers (status, balance). */
export interface HeaderSourceHookOptions<T> {
  /** Milliseconds between polls while mounted; `0` (default) = no polling. */
  readonly refreshInterval?: number
  /** Loads the URL; default `fetchJson` (global `fetch`, same-origin cookies). */
  readonly fetcher?: Fetcher
  /** Refetch when the window regains focus or the tab becomes visible. Default `true`. */
  readonly refetchOnFocus?: boolean
  /** Data to show at once (e.g. loaded on the server); the first mount then does not fetch. */
  readonly initialData?: T
}

/** A polling source that response headers can also move. */
export interface HeaderSource<T> extends PollingSource<T> {
  updateFromHeaders(headers: HeadersLike): boolean
}

/** What {@link useHeaderSource} returns: the source's state, stable callbacks, and the source. */
export interface HeaderSourceResult<T, S> extends SourceState<T> {
  readonly refetch: () => Promise<void>
  readonly updateFromHeaders: (headers: HeadersLike) => boolean
  readonly source: S
}

/**
 * The body of `useQuotaStatus` and `useBalance`: uses the shared source it is given, else owns one for the
 * URL (a new one for a new URL, made by `create`), keeps an owned one configured with the hook's options,
 * and subscribes to it.
 */
export function useHeaderSource<T, S extends HeaderSource<T>>(
  src: string | S | null | undefined,
  isShared: (src: unknown) => src is S,
  create: (options: PollingSourceOptions<T>) => S,
  options: HeaderSourceHookOptions<T>,
): HeaderSourceResult<T, S> {
  const { refreshInterval, fetcher, refetchOnFocus, initialData } = options
  const shared = isShared(src) ? src : undefined
  const url = typeof src === 'string' ? src : undefined
  // Owned only without a shared source; a new one for a new URL. The other options apply through configure().
  const owned = useKeyedInstance(shared ?? url, () =>
    shared === undefined
      ? create({ src: url, refreshInterval, fetcher, refetchOnFocus, initialData })
      : undefined,
  )
  const source = shared ?? (owned as S)
  useEffect(() => {
    owned?.configure({ refreshInterval, fetcher, refetchOnFocus })
  })
  const state = useSourceState(source)
  const refetch = useCallback(() => source.refetch(), [source])
  const updateFromHeaders = useCallback((headers: HeadersLike) => source.updateFromHeaders(headers), [source])
  return { ...state, refetch, updateFromHeaders, source }
}
