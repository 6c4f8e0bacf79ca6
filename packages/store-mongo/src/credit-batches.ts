import {
  type CreditOutcome,
  type GrantSpend,
  planCreditCharge,
  type StoreWindow,
  UNLIMITED,
} from '@x/api-billing-core'
import type { Filter, UpdateFilter } from 'mongodb'
import { batchWrite, placeBatch, type SlotState } from './counter-batches.js'
import { type CounterUpdate, double } from './counter-documents.js'
import { grantField, grantsVersionFilter, spendableGrants } from './grant-entries.js'
import type { CounterDocument } from './store-documents.js'

// Pure functions that decide charges with overflow windows (core's `planCreditCharge`, the one rule) on
// one read of the client's counter document, and build the one conditional update of that document that
// charges the windows and spends the grants together.

/** A charge with overflow windows, as the counters and grants see it. */
export interface CreditItem {
  readonly windows: readonly StoreWindow[]
  readonly cost: number
  /** The charge's instant: which grants are spendable. */
  readonly at: number
}

/** A credit charge's answer: allowed, each window's `used` after it (or as read), and the credit outcome. */
export interface CreditAnswer {
  readonly allowed: boolean
  readonly used: number[]
  readonly credit: CreditOutcome
}

/** {@link planCreditBatch}'s outcome: each item's answer, and the one write that makes them true (if any). */
export interface CreditBatchPlan {
  readonly answers: CreditAnswer[]
  /** Absent when nothing is to be changed (every item refused, or free). */
  readonly write?: CounterUpdate
}

/** Whether an item's decision depends on its client's grants (it has a `'balance'` window). */
function usesBalance(item: CreditItem): boolean {
  return item.windows.some((w) => w.overflow === 'balance')
}

/**
 * The windows as the document update checks them once `planCreditCharge` has decided: an overflow
 * window has no room bound there (its count is required to be exactly the one read instead, see
 * {@link exactUsedFilter}), a window without overflow keeps its limit.
 */
export function writeWindows(windows: readonly StoreWindow[]): StoreWindow[] {
  return windows.map((w) => (w.overflow === undefined ? w : { ...w, limit: UNLIMITED }))
}

/**
 * Decides every item in arrival order with `planCreditCharge`, each on the counts and grant balances
 * the earlier allowed items left, and builds the one update that applies them all: guarded by every
 * slot's window and count as read and, when a `'balance'` window is involved, by the grants' version
 * as read, so that when it matches every answer is exactly what happened. `undefined` when a window is
 * not in the document's current or previous slot (new, or archived): then items go one at a time.
 */
export function planCreditBatch(
  doc: CounterDocument | null,
  clientId: string,
  items: readonly CreditItem[],
): CreditBatchPlan | undefined {
  const batch = placeBatch(doc, items)
  if (batch === undefined) return undefined
  const { slots, placed } = batch
  const spentBy = new Map<string, number>()
  const answers = items.map((item, i) => {
    const states = placed[i] as SlotState[]
    const used = states.map((s) => s.used)
    const grants = spendableGrants(doc, item.at)
      .map((g) => ({ ...g, remaining: g.remaining - (spentBy.get(g.id) ?? 0) }))
      .filter((g) => g.remaining > 0)
    const credit = planCreditCharge(item.windows, used, item.cost, grants)
    if (credit.rejectedBy !== undefined) return { allowed: false, used, credit }
    for (const state of states) state.used += item.cost
    for (const s of credit.spent) spentBy.set(s.grantId, (spentBy.get(s.grantId) ?? 0) + s.credits)
    return { allowed: true, used: states.map((s) => s.used), credit }
  })
  const { write } = batchWrite(clientId, [...slots.values()])
  if (write === undefined) return { answers }
  const spent = [...spentBy].map(([grantId, credits]) => ({ grantId, credits }))
  return { answers, write: withGrantSpend(write, doc, spent, items.some(usesBalance)) }
}

/**
 * `write` extended to spend `spent` from the grants of `doc` in the same update: each grant still not
 * voided and holding at least what it gives (so no grant ever goes negative, whatever happened since the
 * read), and, when `guardVersion`, the grants' version still the one read (so the balance the answers
 * report is exact).
 */
export function withGrantSpend(
  write: CounterUpdate,
  doc: CounterDocument | null,
  spent: readonly GrantSpend[],
  guardVersion: boolean,
): CounterUpdate {
  const filter: Record<string, unknown> = { ...(write.filter as Record<string, unknown>) }
  if (guardVersion) Object.assign(filter, grantsVersionFilter(doc))
  if (spent.length === 0) return { filter: filter as Filter<CounterDocument>, update: write.update }
  const inc: Record<string, number> = { ...(write.update.$inc as Record<string, number> | undefined) }
  for (const { grantId, credits } of spent) {
    const path = `grants.${grantField(grantId)}`
    filter[`${path}.voided`] = false
    filter[`${path}.remaining`] = { $gte: credits }
    inc[`${path}.remaining`] = double(-credits)
  }
  inc.grantsVersion = double(1)
  const update: UpdateFilter<CounterDocument> = { ...write.update, $inc: inc }
  return { filter: filter as Filter<CounterDocument>, update }
}

/**
 * Adds to a single charge's update filter, for every overflow window placed in the current or previous
 * slot, that its count is still exactly `used[i]` as read: the excess `planCreditCharge` computed from it
 * stays true when the update matches.
 */
export function exactUsedFilter(
  windows: readonly StoreWindow[],
  placements: readonly { readonly at: string }[],
  used: readonly number[],
): Record<string, unknown> {
  const filter: Record<string, unknown> = {}
  for (const [i, w] of windows.entries()) {
    const at = placements[i]?.at
    if (w.overflow === undefined || (at !== 'current' && at !== 'previous')) continue
    filter[`${at}.${w.duration}.used`] = used[i]
  }
  return filter
}
