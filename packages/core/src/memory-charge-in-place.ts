import { hasRoom } from './has-room.js'
import { ledgerBucketStart } from './ledger-bucket.js'
import {
  BUCKET_SIZE,
  COUNTER_SIZE,
  FIRST_COUNTER,
  ledgerOffset,
  type MemoryClientRecord,
  RANK,
  START,
  USED,
} from './memory-client-record.js'
import { memoryDurationRank } from './memory-duration-rank.js'
import { BUCKET_CREDITS } from './memory-ledger.js'
import type { ChargeRequest, ChargeResult, StoreWindow } from './usage-store.js'

/**
 * Decides the usual charge of a known client in place, or answers `undefined` when it is not the usual
 * one (the memory store's general path then decides it, with the same result). Usual means: the record
 * has exactly one counter per window of the request, in the request's order, each counter's newest
 * window is the request's window, no window overflows, and the record's newest ledger bucket is the
 * charge's. That is every charge of a client on an unchanged plan after its first in a window and a
 * ledger bucket (almost all of them). The hot path: one pass over the windows to check room, one to
 * charge, no scratch arrays.
 */
export function chargeInPlace(record: MemoryClientRecord, request: ChargeRequest): ChargeResult | undefined {
  const { windows, cost } = request
  const count = windows.length
  const bucket = record.length - BUCKET_SIZE
  if (
    record[0] !== count ||
    bucket < ledgerOffset(record) ||
    record[bucket] !== ledgerBucketStart(request.at)
  ) {
    return undefined
  }
  let fits = true
  for (let i = 0, block = FIRST_COUNTER; i < count; i++, block += COUNTER_SIZE) {
    const w = windows[i] as StoreWindow
    if (!isNewestOf(record, block, w)) return undefined
    if (!hasRoom(record[block + USED] as number, cost, w.limit)) fits = false
  }
  // A literal for the one-window plan: V8 allocates it inline, where `new Array(n)` calls a builtin.
  const used: number[] = count === 1 ? [0] : new Array(count)
  const charged = fits ? cost : 0
  for (let i = 0, block = FIRST_COUNTER + USED; i < count; i++, block += COUNTER_SIZE) {
    const u = (record[block] as number) + charged
    record[block] = u
    used[i] = u
  }
  if (!fits) return { allowed: false, used, replayed: false }
  record[bucket + BUCKET_CREDITS] = (record[bucket + BUCKET_CREDITS] as number) + cost
  return { allowed: true, used, replayed: false }
}

/** Whether the counter at `block` is `w`'s duration and its newest window is `w`, which does not overflow. */
function isNewestOf(record: MemoryClientRecord, block: number, w: StoreWindow): boolean {
  return (
    w.overflow === undefined &&
    record[block + START] === w.start &&
    record[block + RANK] === memoryDurationRank(w.duration)
  )
}
