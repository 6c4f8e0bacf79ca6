import { planCreditCharge, type StoreWindow } from '@x/api-billing-core'
import type { Collection } from 'mongodb'
import type { ArchivedWindows } from './archived-windows.js'
import {
  newCounterDocument,
  type Placement,
  placedCharge,
  usedAfterPlacedCharge,
  usedOf,
} from './counter-documents.js'
import {
  type CreditAnswer,
  type CreditItem,
  exactUsedFilter,
  planCreditBatch,
  withGrantSpend,
  writeWindows,
} from './credit-batches.js'
import { spendableGrants } from './grant-entries.js'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { LOST_RACE, retryLostRaces } from './retry-lost-races.js'
import type { CounterDocument } from './store-documents.js'
import type { WindowCounters } from './window-counters.js'

/** Reads and guarded writes a batch tries before charging its items one at a time. */
const BATCH_ATTEMPTS = 3

/**
 * Charges with overflow windows on the counter document, where a client's windows and grants live
 * together: every charge is decided by core's `planCreditCharge` on one read of that document and
 * applied by one conditional update of it, which charges the windows and spends the grants at once and
 * matches only if what was decided on is still there. A lost race is re-read and retried; a rejected
 * charge writes nothing.
 */
export class CreditCounters {
  constructor(
    private readonly counters: Collection<CounterDocument>,
    private readonly windows: WindowCounters,
    private readonly archive: ArchivedWindows,
  ) {}

  /**
   * Charges a client's items in arrival order, each exactly as if alone: one read and one guarded
   * update for all (`planCreditBatch`), and, when a window must roll or lives in the archive or the
   * update keeps losing races, one item at a time.
   */
  async chargeMany(clientId: string, items: readonly CreditItem[]): Promise<CreditAnswer[]> {
    for (let attempt = 0; attempt < BATCH_ATTEMPTS; attempt++) {
      const plan = planCreditBatch(await this.counters.findOne({ _id: clientId }), clientId, items)
      if (plan === undefined) break
      if (plan.write === undefined) return plan.answers
      const written = await this.counters.updateOne(plan.write.filter, plan.write.update)
      if (written.matchedCount === 1) return plan.answers
    }
    const answers: CreditAnswer[] = []
    for (const item of items) answers.push(await this.chargeOne(clientId, item))
    return answers
  }

  /** One item, wherever its windows live; lost races are retried (`retryLostRaces`). */
  private async chargeOne(clientId: string, item: CreditItem): Promise<CreditAnswer> {
    return retryLostRaces(
      `credit charge for client "${clientId}"`,
      async () => (await this.attempt(clientId, item)) ?? LOST_RACE,
    )
  }

  /**
   * Reads the document, places the windows, decides, reserves archived windows (an overflow window's
   * only if its count is still the one read), then one conditional update of the document charging its
   * windows and spending the grants. `undefined` when a concurrent change invalidated the read.
   */
  private async attempt(clientId: string, item: CreditItem): Promise<CreditAnswer | undefined> {
    const { windows, cost, at } = item
    const doc = await this.counters.findOne({ _id: clientId })
    const placements = await this.windows.place(clientId, doc, windows)
    const used = placements.map(usedOf)
    const credit = planCreditCharge(windows, used, cost, spendableGrants(doc, at))
    if (credit.rejectedBy !== undefined) return { allowed: false, used, credit }
    const reserved = await this.reserveArchived(clientId, item, placements, used)
    if (reserved !== undefined) {
      if (await this.writeDocument(clientId, doc, item, placements, used, credit.spent)) {
        return { allowed: true, used, credit }
      }
      for (const w of reserved) await this.archive.release(clientId, w, cost)
    }
    return undefined
  }

  /**
   * Adds the cost to every archived window of the item (filling in `used`); an overflow window must
   * still hold the count read. The windows reserved, or `undefined` (all given back) when one failed.
   */
  private async reserveArchived(
    clientId: string,
    { windows, cost }: CreditItem,
    placements: readonly Placement[],
    used: number[],
  ): Promise<StoreWindow[] | undefined> {
    const checked = writeWindows(windows)
    const reserved: StoreWindow[] = []
    for (const [i, w] of checked.entries()) {
      if ((placements[i] as Placement).at !== 'archive') continue
      const after = await this.archive.reserve(clientId, w, cost)
      if (after !== undefined) reserved.push(w)
      if (
        after === undefined ||
        (windows[i]?.overflow !== undefined && after !== (used[i] as number) + cost)
      ) {
        for (const r of reserved) await this.archive.release(clientId, r, cost)
        return undefined
      }
      used[i] = after
    }
    return reserved
  }

  /**
   * The document part of {@link attempt}: inserts a client's first document, or one conditional update
   * (`placedCharge` with overflow windows held to their count as read, plus the grant spend). `false`
   * when it did not match; fills in `used` when it did.
   */
  private async writeDocument(
    clientId: string,
    doc: CounterDocument | null,
    { windows, cost }: CreditItem,
    placements: readonly Placement[],
    used: number[],
    spent: readonly { readonly grantId: string; readonly credits: number }[],
  ): Promise<boolean> {
    if (placements.every((p) => p.at === 'archive') && spent.length === 0) return true
    if (doc === null) {
      // No document, no grants: nothing is spent, the windows start at `cost`.
      try {
        await this.counters.insertOne(newCounterDocument(clientId, windows, placements, cost))
      } catch (error) {
        if (isDuplicateKeyError(error)) return false
        throw error
      }
      for (const [i, p] of placements.entries()) if (p.at !== 'archive') used[i] = cost
      return true
    }
    const charge = placedCharge(clientId, writeWindows(windows), placements, cost)
    Object.assign(charge.filter, exactUsedFilter(windows, placements, used))
    const balance = windows.some((w) => w.overflow === 'balance')
    const { filter, update } = withGrantSpend(charge, doc, spent, balance)
    for (const { duration, slot } of charge.toArchive) await this.archive.archive(clientId, duration, slot)
    const after = await this.counters.findOneAndUpdate(filter, update, { returnDocument: 'after' })
    if (after === null) return false
    usedAfterPlacedCharge(after, windows, placements, used)
    return true
  }
}
