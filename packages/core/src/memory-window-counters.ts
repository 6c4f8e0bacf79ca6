import {
  BUCKET_SIZE,
  COUNTER_SIZE,
  END,
  FIRST_COUNTER,
  ledgerOffset,
  type MemoryClientRecord,
  newMemoryClientRecord,
  PREVIOUS_END,
  PREVIOUS_START,
  PREVIOUS_USED,
  RANK,
  START,
  spliceMemoryClientRecord,
  USED,
} from './memory-client-record.js'
import { memoryDurationRank } from './memory-duration-rank.js'
import type { StoreWindow } from './usage-store.js'

/** Decides whether a window (by its start and end) goes; used by range deletes and purges. */
export type WindowFilter = (start: number, end: number) => boolean

/**
 * A record for a client's first charge: one counter per distinct duration of `windows` (each at its
 * window, used 0) and one empty ledger bucket starting at `bucketStart`.
 */
export function newRecordWithCounters(
  windows: readonly StoreWindow[],
  bucketStart: number,
): MemoryClientRecord {
  let seen = 0
  let count = 0
  for (const w of windows) {
    const bit = 1 << memoryDurationRank(w.duration)
    if ((seen & bit) === 0) count++
    seen |= bit
  }
  const record = newMemoryClientRecord(FIRST_COUNTER + count * COUNTER_SIZE + BUCKET_SIZE)
  record[0] = 0
  for (const w of windows) {
    const rank = memoryDurationRank(w.duration)
    if (findCounter(record, rank) < 0) {
      startCounter(record, ledgerOffset(record), rank, w)
      record[0] = (record[0] as number) + 1
    }
  }
  const bucket = record.length - BUCKET_SIZE
  record[bucket] = bucketStart
  record[bucket + 1] = 0
  record[bucket + 2] = 0
  record[bucket + 3] = 0
  return record
}

/** The offset of the counter block of duration `rank`, or -1 when the client has none. */
export function findCounter(record: MemoryClientRecord, rank: number): number {
  const end = ledgerOffset(record)
  for (let block = FIRST_COUNTER; block < end; block += COUNTER_SIZE)
    if (record[block + RANK] === rank) return block
  return -1
}

/**
 * The index of the `used` number of the window starting at `start` in the counter block at `block`
 * (the newest window or the one before it), or -1 when neither starts there.
 */
export function counterSlot(record: MemoryClientRecord, block: number, start: number): number {
  if (record[block + START] === start) return block + USED
  if (record[block + PREVIOUS_START] === start) return block + PREVIOUS_USED
  return -1
}

/** The index of the `used` number of window `w` in the client's counters, or -1 when it is not there. */
export function windowSlot(record: MemoryClientRecord, w: StoreWindow): number {
  const block = findCounter(record, memoryDurationRank(w.duration))
  return block < 0 ? -1 : counterSlot(record, block, w.start)
}

/** The start of the window whose `used` is at index `slot` (both block halves keep start two before used). */
export function slotStart(record: MemoryClientRecord, slot: number): number {
  return record[slot - (USED - START)] as number
}

/** A copy of `record` with a counter for duration `rank` added after the others, at `window`, used 0. */
export function withCounter(
  record: MemoryClientRecord,
  rank: number,
  window: StoreWindow,
): MemoryClientRecord {
  const block = ledgerOffset(record)
  const next = spliceMemoryClientRecord(record, block, 0, COUNTER_SIZE)
  startCounter(next, block, rank, window)
  next[0] = (next[0] as number) + 1
  return next
}

/** Makes `window` (used 0) the newest window of the counter at `block`; its newest becomes the previous. */
export function advanceCounter(record: MemoryClientRecord, block: number, window: StoreWindow): void {
  record[block + PREVIOUS_START] = record[block + START] as number
  record[block + PREVIOUS_END] = record[block + END] as number
  record[block + PREVIOUS_USED] = record[block + USED] as number
  record[block + START] = window.start
  record[block + END] = window.end
  record[block + USED] = 0
}

/**
 * Drops the windows that `drop` selects. A counter whose newest window goes keeps the previous one as
 * its newest; a counter left with no window goes entirely, and `onRemoved` hears its rank. Returns the
 * record, or an exact-size copy when counters were removed.
 */
export function dropCounters(
  record: MemoryClientRecord,
  drop: WindowFilter,
  onRemoved: (rank: number) => void,
): MemoryClientRecord {
  let next = record
  for (let block = ledgerOffset(record) - COUNTER_SIZE; block >= FIRST_COUNTER; block -= COUNTER_SIZE) {
    const hasPrevious = !Number.isNaN(next[block + PREVIOUS_START])
    if (hasPrevious && drop(next[block + PREVIOUS_START] as number, next[block + PREVIOUS_END] as number)) {
      clearPrevious(next, block)
    }
    if (!drop(next[block + START] as number, next[block + END] as number)) continue
    if (Number.isNaN(next[block + PREVIOUS_START])) {
      onRemoved(next[block + RANK] as number)
      next = spliceMemoryClientRecord(next, block, COUNTER_SIZE, 0)
      next[0] = (next[0] as number) - 1
    } else {
      next[block + START] = next[block + PREVIOUS_START] as number
      next[block + END] = next[block + PREVIOUS_END] as number
      next[block + USED] = next[block + PREVIOUS_USED] as number
      clearPrevious(next, block)
    }
  }
  return next
}

function startCounter(record: MemoryClientRecord, block: number, rank: number, window: StoreWindow): void {
  record[block + RANK] = rank
  record[block + START] = window.start
  record[block + END] = window.end
  record[block + USED] = 0
  clearPrevious(record, block)
}

function clearPrevious(record: MemoryClientRecord, block: number): void {
  record[block + PREVIOUS_START] = Number.NaN
  record[block + PREVIOUS_END] = Number.NaN
  record[block + PREVIOUS_USED] = Number.NaN
}
