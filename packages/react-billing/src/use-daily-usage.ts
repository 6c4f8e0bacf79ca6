import type { DailyUsageBody } from '@x/api-billing-core'
import { useCallback, useEffect } from 'react'
import type { Fetcher } from './fetch-json.js'
import { parseDailyUsageBody } from './parse-daily-usage-body.js'
import { PollingSource } from './polling-source.js'
import { useKeyedInstance } from './use-keyed-instance.js'
import { useSourceState } from './use-source-state.js'

/** Options of {@link useDailyUsage}. */
export interface UseDailyUsageOptions {
  /** Milliseconds between polls while mounted; `0` (default) = no polling. */
  readonly refreshInterval?: number
  /** Loads the URL; default `fetchJson` (global `fetch`, same-origin cookies). */
  readonly fetcher?: Fetcher
  /** Refetch when the window regains focus or the tab becomes visible. Default `true`. */
  readonly refetchOnFocus?: boolean
}

/** What {@link useDailyUsage} returns. */
export interface DailyUsageResult {
  /** The latest report, or `undefined` until the first one arrives. */
  readonly data: DailyUsageBody | undefined
  /** The last fetch's error (the last good `data` is kept). */
  readonly error: Error | undefined
  /** `true` while the first report is being fetched. */
  readonly isLoading: boolean
  /** Fetches now; resolves when done, never rejects. */
  readonly refetch: () => Promise<void>
}

/**
 * A client's daily usage from a daily-usage route (`DailyUsageBody`): fetched on mount, aborted on
 * unmount, optionally polled and refetched on focus. `null`/`undefined` `src` stays idle.
 */
export function useDailyUsage(
  src: string | null | undefined,
  options: UseDailyUsageOptions = {},
): DailyUsageResult {
  const { refreshInterval, fetcher, refetchOnFocus } = options
  // A new source only for a new URL; the other options apply through configure() below.
  const url = src ?? undefined
  const source = useKeyedInstance(
    url,
    () =>
      new PollingSource<DailyUsageBody>(
        { src: url, refreshInterval, fetcher, refetchOnFocus },
        parseDailyUsageBody,
      ),
  )
  useEffect(() => {
    source.configure({ refreshInterval, fetcher, refetchOnFocus })
  })
  const { data, error, isLoading } = useSourceState(source)
  const refetch = useCallback(() => source.refetch(), [source])
  return { data, error, isLoading, refetch }
}
