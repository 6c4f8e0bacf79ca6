import { useSyncExternalStore } from 'react'
import type { PollingSource, SourceState } from './polling-source.js'

/**
 * Subscribes a component to a {@link PollingSource} with `useSyncExternalStore`: re-renders on every
 * change, starts the source on mount and stops it (aborting its fetch) when the last subscriber
 * unmounts. The server render and hydration use the source's initial state.
 */
export function useSourceState<T>(source: PollingSource<T>): SourceState<T> {
  return useSyncExternalStore(source.subscribe, source.getSnapshot, source.getServerSnapshot)
}
