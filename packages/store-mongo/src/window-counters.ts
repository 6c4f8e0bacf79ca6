import { hasRoom, type StoreWindow } from '@x/api-billing-core'
import type { Collection } from 'mongodb'
import type { ArchivedWindows } from './archived-windows.js'
import {
  type BatchItem,
  type CounterCharge,
  mergedAnswers,
  planBatch,
  sameWindows,
} from './counter-batches.js'
import {
  currentWindowsCharge,
  endedSlotsFilter,
  newCounterDocument,
  type Placement,
  placedCharge,
  placeWindows,
  slotRefund,
  slotRemovals,
  usedAfterPlacedCharge,
  usedInCurrent,
  usedOf,
} from './counter-documents.js'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { LOST_RACE, retryLostRaces } from './retry-lost-races.js'
import type { CounterDocument, SlotDocument } from './store-documents.js'

/** Reads and guarded writes a batch tries before charging its requests one at a time. */
const BATCH_ATTEMPTS = 3

/**
 * A client's window counters: the counter document (current and previous window of each duration)
 * and, for older windows, the archive collection. Charges are all windows or none; lost races are
 * retried (`retryLostRaces`), reported only after 200 in a row.
 */
export class WindowCounters {
  constructor(
    private readonly counters: Collection<CounterDocument>,
    private readonly archive: ArchivedWindows,
  ) {}

  /** Charges `cost` to every window if each has room (`hasRoom`), else to none. */
  async charge(clientId: string, windows: readonly StoreWindow[], cost: number): Promise<CounterCharge> {
    if (windows.length === 0) return { allowed: true, used: [] }
    const { filter, update } = currentWindowsCharge(clientId, windows, cost)
    const charged = await this.counters.findOneAndUpdate(filter, update, { returnDocument: 'after' })
    if (charged !== null) return { allowed: true, used: usedInCurrent(charged, windows) }
    return retryLostRaces(
      `charge for client "${clientId}"`,
      async () => (await this.chargePlaced(clientId, windows, cost)) ?? LOST_RACE,
    )
  }

  /**
   * Charges several requests of one client, each exactly as if alone, in arrival order. First, if they
   * share their windows, one update of their total cost (all fit, or this is skipped); then one read and
   * one write guarded by the counts read (see `planBatch`); and when a window must roll, lives in the
   * archive, or the guarded write keeps losing races, one request at a time.
   */
  async chargeMany(clientId: string, items: readonly BatchItem[]): Promise<CounterCharge[]> {
    if (items.length === 0) return []
    if (items.length === 1) {
      const [item] = items as [BatchItem]
      return [await this.charge(clientId, item.windows, item.cost)]
    }
    const merged = await this.chargeMerged(clientId, items)
    if (merged !== undefined) return merged
    for (let attempt = 0; attempt < BATCH_ATTEMPTS; attempt++) {
      const plan = planBatch(await this.counters.findOne({ _id: clientId }), clientId, items)
      if (plan === undefined) break
      if (plan.write === undefined) return plan.answers
      const written = await this.counters.updateOne(plan.write.filter, plan.write.update)
      if (written.matchedCount === 1) return plan.answers
    }
    const answers: CounterCharge[] = []
    for (const item of items) answers.push(await this.charge(clientId, item.windows, item.cost))
    return answers
  }

  /** `used` of each window, without changing anything. */
  async status(clientId: string, windows: readonly StoreWindow[]): Promise<number[]> {
    const doc = await this.counters.findOne({ _id: clientId })
    return (await this.place(clientId, doc, windows)).map(usedOf)
  }

  /** Subtracts `credits` from one window, never below zero; a lost race is re-read and retried. */
  async refund(clientId: string, w: StoreWindow, credits: number): Promise<void> {
    await retryLostRaces(`refund for client "${clientId}"`, async () => {
      const doc = await this.counters.findOne({ _id: clientId })
      const [placement] = await this.place(clientId, doc, [w])
      if (placement === undefined || placement.at === 'new') return undefined
      if (placement.at === 'archive') {
        return (await this.archive.refund(clientId, w, credits)) ? undefined : LOST_RACE
      }
      const { down, zero } = slotRefund(clientId, placement.at, w, credits)
      if ((await this.counters.updateOne(down.filter, down.update)).matchedCount === 1) return undefined
      if ((await this.counters.updateOne(zero.filter, zero.update)).matchedCount === 1) return undefined
      return LOST_RACE
    })
  }

  /** Removes the counter-document windows `drop` selects, each only if it is still the one read. */
  async removeSlots(clientId: string, drop: (slot: SlotDocument) => boolean): Promise<void> {
    const doc = await this.counters.findOne({ _id: clientId })
    if (doc === null) return
    for (const { filter, update } of slotRemovals(doc, drop)) await this.counters.updateOne(filter, update)
  }

  /**
   * Removes a client's window counters: its counter document, or, when it holds grants (which are not
   * usage), only the document's windows.
   */
  async delete(clientId: string): Promise<void> {
    await this.counters.deleteOne({ _id: clientId, grants: { $exists: false } })
    await this.counters.updateOne({ _id: clientId }, { $unset: { current: '', previous: '' } })
  }

  /** The clients whose counter document holds a window that ended at or before `before`. */
  async clientsWithSlotsEndedBy(before: number): Promise<string[]> {
    const docs = await this.counters.find(endedSlotsFilter(before), { projection: { _id: 1 } }).toArray()
    return docs.map((d) => d._id)
  }

  /** Items sharing their windows, all current and all with room: one update of their total cost. */
  private async chargeMerged(
    clientId: string,
    items: readonly BatchItem[],
  ): Promise<CounterCharge[] | undefined> {
    const total = items.reduce((sum, item) => sum + item.cost, 0)
    const { windows } = items[0] as BatchItem
    if (!Number.isSafeInteger(total) || windows.length === 0 || !sameWindows(items)) return undefined
    const { filter, update } = currentWindowsCharge(clientId, windows, total)
    const after = await this.counters.findOneAndUpdate(filter, update, { returnDocument: 'after' })
    return after === null ? undefined : mergedAnswers(after, items)
  }

  /**
   * One attempt of the general charge: read the document, place the windows, refuse if one lacks room,
   * reserve archived windows, then one conditional update of the document. `undefined` when a concurrent
   * change invalidated what was read (reservations are given back).
   */
  private async chargePlaced(
    clientId: string,
    windows: readonly StoreWindow[],
    cost: number,
  ): Promise<CounterCharge | undefined> {
    const doc = await this.counters.findOne({ _id: clientId })
    const placements = await this.place(clientId, doc, windows)
    const used = placements.map(usedOf)
    if (windows.some((w, i) => !hasRoom(used[i] as number, cost, w.limit))) return { allowed: false, used }
    // Windows older than the previous one: reserve them first, give them back if the rest fails.
    const reserved: StoreWindow[] = []
    for (const [i, w] of windows.entries()) {
      if ((placements[i] as Placement).at !== 'archive') continue
      const after = await this.archive.reserve(clientId, w, cost)
      if (after === undefined) break
      used[i] = after
      reserved.push(w)
    }
    const archived = placements.filter((p) => p.at === 'archive').length
    if (
      reserved.length === archived &&
      (await this.chargeDocument(clientId, doc, windows, placements, cost, used))
    ) {
      return { allowed: true, used }
    }
    for (const w of reserved) await this.archive.release(clientId, w, cost)
    return undefined
  }

  /**
   * Charges the windows placed in the counter document with one conditional update (or inserts the
   * document). `false` when a concurrent change invalidated what was read; fills `used` on success.
   */
  private async chargeDocument(
    clientId: string,
    doc: CounterDocument | null,
    windows: readonly StoreWindow[],
    placements: readonly Placement[],
    cost: number,
    used: number[],
  ): Promise<boolean> {
    if (placements.every((p) => p.at === 'archive')) return true
    if (doc === null) {
      try {
        await this.counters.insertOne(newCounterDocument(clientId, windows, placements, cost))
      } catch (error) {
        if (isDuplicateKeyError(error)) return false
        throw error
      }
      for (const [i, p] of placements.entries()) if (p.at !== 'archive') used[i] = cost
      return true
    }
    const { filter, update, toArchive } = placedCharge(clientId, windows, placements, cost)
    for (const { duration, slot } of toArchive) await this.archive.archive(clientId, duration, slot)
    const after = await this.counters.findOneAndUpdate(filter, update, { returnDocument: 'after' })
    if (after === null) return false
    usedAfterPlacedCharge(after, windows, placements, used)
    return true
  }

  /** Where each window lives, with its `used` (archived ones looked up), from one read of the counter document. */
  async place(
    clientId: string,
    doc: CounterDocument | null,
    windows: readonly StoreWindow[],
  ): Promise<Placement[]> {
    const placements = placeWindows(doc, windows)
    const old = windows.filter((_, i) => (placements[i] as Placement).at === 'archive')
    if (old.length === 0) return placements
    const used = await this.archive.usedOf(clientId, old)
    let next = 0
    return placements.map((p) => (p.at === 'archive' ? { at: 'archive', used: used[next++] as number } : p))
  }
}
