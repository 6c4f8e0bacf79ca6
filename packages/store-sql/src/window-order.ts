import type { StoreWindow } from '@x/api-billing-core'

/**
 * The indexes of `windows` sorted by `(duration, start)`, the primary-key order of the counters
 * table. Every transaction locks counter rows in this one order, so two charges never deadlock on
 * each other's windows.
 */
export function lockOrder(windows: readonly StoreWindow[]): number[] {
  return windows
    .map((_, i) => i)
    .sort((a, b) => {
      const x = windows[a] as StoreWindow
      const y = windows[b] as StoreWindow
      if (x.duration !== y.duration) return x.duration < y.duration ? -1 : 1
      return x.start - y.start
    })
}

/** The key `duration|start` that matches a window to a counter row read back from the database. */
export function windowKey(duration: string, start: number): string {
  return `${duration}|${start}`
}
