import { hasRoom, type StoreWindow } from '@x/api-billing-core'
import type { Filter } from 'mongodb'
import {
  type CounterUpdate,
  double,
  type Placement,
  placeWindows,
  usedInCurrent,
} from './counter-documents.js'
import type { CounterDocument } from './store-documents.js'

// Pure functions that charge several requests of one client with one write of its counter document,
// giving each request the exact answer it would have had alone, in arrival order.

/** One request of a batch, as the counters see it. */
export interface BatchItem {
  readonly windows: readonly StoreWindow[]
  readonly cost: number
}

/** A request's counter answer: whether every window had room, and each window's `used` after it. */
export interface CounterCharge {
  readonly allowed: boolean
  readonly used: number[]
}

/** Whether every item charges the very same windows (duration, start and limit, in the same order). */
export function sameWindows(items: readonly BatchItem[]): boolean {
  const signature = (item: BatchItem) =>
    JSON.stringify(item.windows.map((w) => [w.duration, w.start, w.limit]))
  const first = signature(items[0] as BatchItem)
  return items.every((item) => signature(item) === first)
}

/**
 * The answers of a merged charge: every item of a batch that shares its windows was charged by one
 * update of their total cost, and `after` is the document it returned. Item `j` sees its window counts
 * as they were right after it, i.e. `after` minus what the items following it added.
 */
export function mergedAnswers(after: CounterDocument, items: readonly BatchItem[]): CounterCharge[] {
  const windows = (items[0] as BatchItem).windows
  const final = usedInCurrent(after, windows)
  let later = items.reduce((sum, item) => sum + item.cost, 0)
  return items.map((item) => {
    later -= item.cost
    return { allowed: true, used: final.map((u) => u - later) }
  })
}

/** {@link planBatch}'s outcome: each item's answer, and the one write that makes them true (if any). */
export interface BatchPlan {
  readonly answers: CounterCharge[]
  /** Absent when nothing is to be added (every item refused, or free). */
  readonly write?: CounterUpdate
}

/** A counter-document slot one or more items charge: where it is, its window start, its count as read. */
export interface SlotState {
  readonly path: string
  readonly start: number
  readonly read: number
  used: number
}

/**
 * Decides every item in arrival order against the counts in `doc`, each with core's `hasRoom` on the
 * counts the earlier granted items left, and builds the one update that adds what was granted. The
 * update's filter requires every slot consulted to still hold the window and the count that was read, so
 * when it matches, the state it changes is exactly the one decided on and every answer is exact.
 * `undefined` when an item's window is not in the document's current or previous slot (a new window,
 * or one in the archive): such a batch is charged one request at a time.
 */
export function planBatch(
  doc: CounterDocument | null,
  clientId: string,
  items: readonly BatchItem[],
): BatchPlan | undefined {
  const batch = placeBatch(doc, items)
  if (batch === undefined) return undefined
  const { slots, placed } = batch
  const answers = items.map((item, i) => {
    const states = placed[i] as SlotState[]
    const allowed = item.windows.every((w, k) => hasRoom((states[k] as SlotState).used, item.cost, w.limit))
    if (allowed) for (const state of states) state.used += item.cost
    return { allowed, used: states.map((s) => s.used) }
  })
  return { answers, ...batchWrite(clientId, [...slots.values()]) }
}

/**
 * Every item's windows placed in the document's slots: each item's slot states (one object per slot,
 * shared between the items that charge it, so that later items see what earlier ones added) and all the
 * slots touched. `undefined` when there is no document or a window is not in its current or previous slot.
 */
export function placeBatch(
  doc: CounterDocument | null,
  items: readonly { readonly windows: readonly StoreWindow[] }[],
): { slots: Map<string, SlotState>; placed: SlotState[][] } | undefined {
  if (doc === null) return undefined
  const slots = new Map<string, SlotState>()
  const placed: SlotState[][] = []
  for (const item of items) {
    const states = slotStates(placeWindows(doc, item.windows), item.windows, slots)
    if (states === undefined) return undefined
    placed.push(states)
  }
  return { slots, placed }
}

/** The slot state of each placed window (shared between items), or `undefined` if one is not in a slot. */
function slotStates(
  placements: readonly Placement[],
  windows: readonly StoreWindow[],
  slots: Map<string, SlotState>,
): SlotState[] | undefined {
  const states: SlotState[] = []
  for (const [k, p] of placements.entries()) {
    if (p.at !== 'current' && p.at !== 'previous') return undefined
    const path = `${p.at}.${(windows[k] as StoreWindow).duration}`
    let state = slots.get(path)
    if (state === undefined) {
      state = { path, start: p.slot.start, read: p.slot.used, used: p.slot.used }
      slots.set(path, state)
    }
    states.push(state)
  }
  return states
}

/**
 * The one update that adds what a batch granted to its slots, matching only while every slot still holds
 * the window and the count that were read; none when no count changed.
 */
export function batchWrite(clientId: string, slots: readonly SlotState[]): { write?: CounterUpdate } {
  if (slots.every((s) => s.used === s.read)) return {}
  const filter: Record<string, unknown> = { _id: clientId }
  const inc: Record<string, number> = {}
  for (const s of slots) {
    filter[`${s.path}.start`] = s.start
    filter[`${s.path}.used`] = s.read
    if (s.used === s.read) continue
    inc[`${s.path}.used`] = double(s.used - s.read)
    inc[`${s.path}.version`] = double(1)
  }
  return { write: { filter: filter as Filter<CounterDocument>, update: { $inc: inc } } }
}
