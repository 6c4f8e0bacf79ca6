import { hasRoom, isUnlimited, type QuotaDuration, type StoreWindow } from '@x/api-billing-core'
import type { Collection, Filter } from 'mongodb'
import { double } from './counter-documents.js'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { maxUsedWithRoom } from './max-used-with-room.js'
import { LOST_RACE, retryLostRaces } from './retry-lost-races.js'
import { type ArchivedWindowDocument, compoundId, type SlotDocument } from './store-documents.js'

/** The `_id` of window `w` of client `clientId` in the archive collection. */
export function archivedId(clientId: string, w: StoreWindow): string {
  return compoundId(clientId, w.duration, w.start)
}

/**
 * The archive collection: windows older than a client's previous one, one document each. They get
 * there when a newer window pushes them out of the counter document, or when an instance whose clock
 * lags charges a window the counter document no longer holds. Every document carries a version, so a
 * stale copy never overwrites a newer one.
 */
export class ArchivedWindows {
  constructor(private readonly windows: Collection<ArchivedWindowDocument>) {}

  /** Creates the indexes reads and purges use, one per call (see `MongoUsageStore.init`). */
  async createIndexes(): Promise<void> {
    await this.windows.createIndex({ clientId: 1, duration: 1, start: 1 })
    await this.windows.createIndex({ end: 1 })
  }

  /**
   * Copies a previous slot that is about to be rolled out of the counter document, before the update
   * that drops it (so a reader never misses it); a copy with a lower version never overwrites.
   */
  async archive(clientId: string, duration: QuotaDuration, previous: SlotDocument): Promise<void> {
    const { start, end, used, version } = previous
    const _id = compoundId(clientId, duration, start)
    try {
      await this.windows.updateOne(
        { _id, version: { $lt: version } },
        { $set: { clientId, duration, start, end, used: double(used), version: double(version) } },
        { upsert: true },
      )
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error
    }
  }

  /** `used` of each of `windows` in the archive (0 when absent), in order. */
  async usedOf(clientId: string, windows: readonly StoreWindow[]): Promise<number[]> {
    const ids = windows.map((w) => archivedId(clientId, w))
    const found = await this.windows.find({ _id: { $in: ids } }).toArray()
    const usedById = new Map(found.map((a) => [a._id, a.used]))
    return ids.map((id) => usedById.get(id) ?? 0)
  }

  /**
   * Adds `cost` to an archived window if it has room (`hasRoom`); its new `used`, or `undefined` when
   * full. A lost race (room, but the update or first insert lost to another writer) is retried
   * (`retryLostRaces`), never answered as full.
   */
  async reserve(clientId: string, w: StoreWindow, cost: number): Promise<number | undefined> {
    const _id = archivedId(clientId, w)
    // hasRoom, stated for the filter (see maxUsedWithRoom).
    const filter: Filter<ArchivedWindowDocument> = isUnlimited(w.limit)
      ? { _id }
      : { _id, used: { $lte: maxUsedWithRoom(cost, w.limit) } }
    return retryLostRaces(`archived window reserve for client "${clientId}"`, async () => {
      const after = await this.windows.findOneAndUpdate(
        filter,
        { $inc: { used: double(cost), version: double(1) } },
        { returnDocument: 'after' },
      )
      if (after !== null) return after.used
      const existing = await this.windows.findOne({ _id })
      if (existing !== null) return hasRoom(existing.used, cost, w.limit) ? LOST_RACE : undefined
      if (!hasRoom(0, cost, w.limit)) return undefined
      const { duration, start, end } = w
      try {
        await this.windows.insertOne({
          _id,
          clientId,
          duration,
          start,
          end,
          used: double(cost),
          version: double(1),
        })
        return cost
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
        return LOST_RACE
      }
    })
  }

  /** Gives back what {@link reserve} took, when the rest of the charge was refused. */
  async release(clientId: string, w: StoreWindow, cost: number): Promise<void> {
    await this.windows.updateOne(
      { _id: archivedId(clientId, w) },
      { $inc: { used: double(-cost), version: double(1) } },
    )
  }

  /** Subtracts `credits` from an archived window, never below zero; `false` when a race needs a retry. */
  async refund(clientId: string, w: StoreWindow, credits: number): Promise<boolean> {
    const _id = archivedId(clientId, w)
    if ((await this.windows.findOne({ _id })) === null) return true
    const down = await this.windows.updateOne(
      { _id, used: { $gte: credits } },
      { $inc: { used: double(-credits), version: double(1) } },
    )
    if (down.matchedCount === 1) return true
    const zero = await this.windows.updateOne(
      { _id, used: { $lt: credits } },
      { $set: { used: double(0) }, $inc: { version: double(1) } },
    )
    return zero.matchedCount === 1
  }

  /** Removes every archived window of a client, or those starting in `[from, to)`. */
  async delete(clientId: string, range?: { readonly from: number; readonly to: number }): Promise<void> {
    await this.windows.deleteMany(
      range ? { clientId, start: { $gte: range.from, $lt: range.to } } : { clientId },
    )
  }

  /** Removes every archived window that ended at or before `before`. */
  async purge(before: number): Promise<void> {
    await this.windows.deleteMany({ end: { $lte: before } })
  }
}
