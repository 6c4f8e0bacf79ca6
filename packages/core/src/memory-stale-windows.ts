import type { WindowFilter } from './memory-window-counters.js'

/** One window older than a counter's previous one. */
interface StaleWindow {
  readonly rank: number
  readonly start: number
  readonly end: number
  used: number
}

/**
 * The memory store's rare case, kept out of the client records: windows that an instance with a late
 * clock charged although the client's counter has moved past them (older than its previous window, or
 * older than its newest when it has no previous one). They live until the counter starts a newer
 * window. The store creates this structure only when the first such window appears.
 */
export class MemoryStaleWindows {
  private readonly byClient = new Map<string, StaleWindow[]>()

  /** The `used` of the client's stale window of duration `rank` starting at `start`, or `undefined`. */
  used(clientId: string, rank: number, start: number): number | undefined {
    return this.find(clientId, rank, start)?.used
  }

  /** Adds `cost` to that window, creating it (at `end`, used 0) when missing; returns its new `used`. */
  charge(clientId: string, rank: number, start: number, end: number, cost: number): number {
    let window = this.find(clientId, rank, start)
    if (window === undefined) {
      window = { rank, start, end, used: 0 }
      const windows = this.byClient.get(clientId)
      if (windows === undefined) this.byClient.set(clientId, [window])
      else windows.push(window)
    }
    window.used += cost
    return window.used
  }

  /** Takes `credits` from that window, never below zero; a missing window stays missing. */
  refund(clientId: string, rank: number, start: number, credits: number): void {
    const window = this.find(clientId, rank, start)
    if (window !== undefined) window.used = Math.max(0, window.used - credits)
  }

  /** Forgets the client's stale windows of duration `rank`. */
  dropDuration(clientId: string, rank: number): void {
    this.keep(clientId, (window) => window.rank !== rank)
  }

  /** Forgets the client's stale windows that `drop` selects. */
  dropWindows(clientId: string, drop: WindowFilter): void {
    this.keep(clientId, (window) => !drop(window.start, window.end))
  }

  /** Forgets all of the client's stale windows. */
  dropClient(clientId: string): void {
    this.byClient.delete(clientId)
  }

  private find(clientId: string, rank: number, start: number): StaleWindow | undefined {
    return this.byClient.get(clientId)?.find((window) => window.rank === rank && window.start === start)
  }

  private keep(clientId: string, keep: (window: StaleWindow) => boolean): void {
    const windows = this.byClient.get(clientId)
    if (windows === undefined) return
    const kept = windows.filter(keep)
    if (kept.length === 0) this.byClient.delete(clientId)
    else this.byClient.set(clientId, kept)
  }
}
