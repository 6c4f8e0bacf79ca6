/**
 * Everything the memory store keeps about one client, as one flat array of numbers. V8 keeps such an
 * array as unboxed doubles (8 bytes each) in a single backing store, so a client charged in one window
 * costs about 130 bytes here, where objects, maps and boxed numbers cost several hundred. Layout:
 *
 * - `[0]`: the number of counters (one per duration the client was charged in);
 * - then one block of {@link COUNTER_SIZE} numbers per counter, in the order the durations first
 *   appeared: `[rank, start, end, used, previousStart, previousEnd, previousUsed]`, the newest window
 *   and the one before it (`NaN` while there is none); `rank` comes from `memoryDurationRank`;
 * - then the usage ledger: `[bucketStart, credits, fromBalance, overage]` blocks sorted by bucket start.
 *
 * The array is always exactly as long as its content: it is only ever replaced by an exact-size copy
 * ({@link spliceMemoryClientRecord}), never grown with `push`, which would leave unused capacity.
 */
export type MemoryClientRecord = number[]

/** Numbers per counter block. */
export const COUNTER_SIZE = 7
/**
 * Offsets inside a counter block. Both halves keep a window's start two places before its `used`
 * (`slotStart` relies on it).
 */
export const RANK = 0
export const START = 1
export const END = 2
export const USED = 3
export const PREVIOUS_START = 4
export const PREVIOUS_END = 5
export const PREVIOUS_USED = 6

/** Where the first counter block starts. */
export const FIRST_COUNTER = 1

/** Numbers per ledger bucket. */
export const BUCKET_SIZE = 4

/** The largest record a new client can need: seven durations and one ledger bucket. */
const LARGEST_NEW = FIRST_COUNTER + 7 * COUNTER_SIZE + BUCKET_SIZE

/**
 * A packed array of doubles that new records are sliced from, so that every record has the same
 * elements kind (packed doubles) and V8's element accesses on the hot path stay monomorphic.
 */
const NANS: readonly number[] = Array.from({ length: LARGEST_NEW }, () => Number.NaN)

/** The index of a record's first ledger bucket (the end of its counter blocks). */
export function ledgerOffset(record: MemoryClientRecord): number {
  return FIRST_COUNTER + (record[0] as number) * COUNTER_SIZE
}

/** A new record of `length` numbers, all `NaN`; the caller fills it in. */
export function newMemoryClientRecord(length: number): MemoryClientRecord {
  return length <= LARGEST_NEW ? NANS.slice(0, length) : Array.from({ length }, () => Number.NaN)
}

/**
 * An exact-size copy of `record` with `removed` numbers taken out at `at` and `inserted` numbers (whose
 * values the caller writes) put in their place. The record passed in must not be used afterwards.
 */
export function spliceMemoryClientRecord(
  record: MemoryClientRecord,
  at: number,
  removed: number,
  inserted: number,
): MemoryClientRecord {
  const grow = inserted - removed
  if (grow > 0) {
    const next = record.concat(newMemoryClientRecord(grow))
    next.copyWithin(at + inserted, at + removed, record.length)
    return next
  }
  record.copyWithin(at + inserted, at + removed)
  return record.slice(0, record.length + grow)
}
