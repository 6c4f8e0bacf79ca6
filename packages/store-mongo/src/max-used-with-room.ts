import { hasRoom, isUnlimited } from '@x/api-billing-core'

/** 2^53: no counter the store keeps goes higher (credits are safe integers, counts are BSON doubles). */
const TOP = 2 ** 53

/**
 * Core's room check, `hasRoom(used, cost, limit)`, turned into the bound an update filter can state
 * without `$expr`: the largest whole `used` that still has room for `cost`, so that for every count the
 * store holds (a whole number from 0 to 2^53) `used <= maxUsedWithRoom(cost, limit)` holds exactly when
 * `hasRoom(used, cost, limit)` does. `hasRoom` is monotonic in `used`, so the whole numbers with room are
 * `0..bound`; the bound starts at `floor(limit - cost)` and is then settled by asking `hasRoom` itself
 * (one step at most either way), which is what makes the filter mirror the check exactly rather than
 * re-derive it. `-1` when not even an empty window has room; `Infinity` for an unlimited window.
 */
export function maxUsedWithRoom(cost: number, limit: number): number {
  if (isUnlimited(limit)) return Number.POSITIVE_INFINITY
  let bound = Math.min(Math.floor(limit - cost), TOP)
  if (bound < -1) return -1
  while (bound >= 0 && !hasRoom(bound, cost, limit)) bound--
  while (bound < TOP && hasRoom(bound + 1, cost, limit)) bound++
  return bound
}
