import type { StoreWindow } from '@x/api-billing-core'

/** One status read: the `used` of each of a client's windows, changing nothing. */
export interface StatusRead {
  readonly clientId: string
  readonly windows: readonly StoreWindow[]
}

/** The windows of several status reads in one flat list, as parallel arrays (client, duration, start). */
export interface FlatStatusWindows {
  readonly clients: string[]
  readonly durations: string[]
  readonly starts: number[]
}

/** Every window of `reads`, in order: the first read's windows, then the second's, and so on. */
export function flatStatusWindows(reads: readonly StatusRead[]): FlatStatusWindows {
  const flat: FlatStatusWindows = { clients: [], durations: [], starts: [] }
  for (const { clientId, windows } of reads) {
    for (const w of windows) {
      flat.clients.push(clientId)
      flat.durations.push(w.duration)
      flat.starts.push(w.start)
    }
  }
  return flat
}

/** `used`, one number per window of {@link flatStatusWindows}, cut back into one list per read. */
export function usedPerRead(reads: readonly StatusRead[], used: readonly number[]): number[][] {
  const answers: number[][] = []
  let next = 0
  for (const { windows } of reads) {
    answers.push(used.slice(next, next + windows.length))
    next += windows.length
  }
  return answers
}
