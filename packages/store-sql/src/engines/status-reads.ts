import type { StoreWindow } from '@x/api-billing-core'
import { windowKey } from '../window-order.js'
import { text } from './credit-rows.js'
import { num, type Row } from './raw-query.js'

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

/**
 * The answers of `reads` from counter rows (`client_id`, `duration`, `window_start`, `used`) that may
 * hold more than was asked for and in any order: each window's `used`, 0 where no row matches. Client
 * ids are compared as the database returns them, decoded from their UTF-8 bytes.
 */
export function usedFromRows(reads: readonly StatusRead[], rows: readonly Row[]): number[][] {
  const byKey = new Map<string, number>()
  for (const r of rows) {
    byKey.set(counterKey(text(r.client_id), String(r.duration), num(r.window_start)), num(r.used))
  }
  return reads.map(({ clientId, windows }) => {
    const stored = Buffer.from(clientId, 'utf8').toString('utf8')
    return windows.map((w) => byKey.get(counterKey(stored, w.duration, w.start)) ?? 0)
  })
}

/** The key of one counter row: client, duration and window start. */
function counterKey(clientId: string, duration: string, start: number): string {
  return `${clientId}\u0000${windowKey(duration, start)}`
}
