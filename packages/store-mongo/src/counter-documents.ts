import { isUnlimited, QUOTA_DURATIONS, type QuotaDuration, type StoreWindow } from '@x/api-billing-core'
import { Double, type Filter, type UpdateFilter } from 'mongodb'
import { maxUsedWithRoom } from './max-used-with-room.js'
import type { CounterDocument, SlotDocument, SlotsByDuration } from './store-documents.js'

// Pure functions that build the reads and conditional updates of the per-client counter document.
// They touch no server, so every filter and update the store sends is unit-tested without one.

/**
 * Stores a count as a BSON double: exact up to 2^53 and never a 32-bit integer that could overflow on
 * the server. Typed as `number` because that is what the driver reads it back as.
 */
export const double = (value: number): number => new Double(value) as unknown as number

/** The two slot maps of a counter document: each duration's current window and the previous one. */
export type SlotField = 'current' | 'previous'

/** Where a requested window lives, as seen in one read of the client's counter document. */
export type Placement =
  | { readonly at: SlotField; readonly slot: SlotDocument }
  | { readonly at: 'new'; readonly current?: SlotDocument; readonly previous?: SlotDocument }
  | { readonly at: 'archive'; readonly used: number }

/** A filter and the update to apply where it matches. */
export interface CounterUpdate {
  readonly filter: Filter<CounterDocument>
  readonly update: UpdateFilter<CounterDocument>
}

/**
 * Where each window lives in `doc` (`null`: no document yet): its current or previous slot, a new
 * window that will roll the current one into previous, or (older than both) the archive collection,
 * whose `used` the caller looks up (0 here).
 */
export function placeWindows(doc: CounterDocument | null, windows: readonly StoreWindow[]): Placement[] {
  return windows.map((w) => {
    const current = doc?.current?.[w.duration]
    const previous = doc?.previous?.[w.duration]
    if (current?.start === w.start) return { at: 'current', slot: current }
    if (previous?.start === w.start) return { at: 'previous', slot: previous }
    const newest = Math.max(
      current?.start ?? Number.NEGATIVE_INFINITY,
      previous?.start ?? Number.NEGATIVE_INFINITY,
    )
    if (w.start > newest) return current === undefined ? { at: 'new' } : { at: 'new', current, previous }
    return { at: 'archive', used: 0 }
  })
}

/** The window's `used` as placed: a new window has none yet. */
export function usedOf(placement: Placement): number {
  if (placement.at === 'current' || placement.at === 'previous') return placement.slot.used
  return placement.at === 'archive' ? placement.used : 0
}

/**
 * The filter that proves window `w` is held in slot `at` and, if limited, has room for `cost`: core's
 * `hasRoom(used, cost, limit)`, stated as `used <= maxUsedWithRoom(cost, limit)` (exactly equivalent).
 */
export function roomFilter(at: SlotField, w: StoreWindow, cost: number): Record<string, unknown> {
  const path = `${at}.${w.duration}`
  if (isUnlimited(w.limit)) return { [`${path}.start`]: w.start }
  return { [`${path}.start`]: w.start, [`${path}.used`]: { $lte: maxUsedWithRoom(cost, w.limit) } }
}

/** A fresh slot for window `w` holding `used` credits, at version 1. */
export function newSlot(w: StoreWindow, used: number): SlotDocument {
  return { start: w.start, end: w.end, used: double(used), version: double(1) }
}

/**
 * The common case: every window is the current one. One conditional update charges them all; it
 * matches only if each is current and has room.
 */
export function currentWindowsCharge(
  clientId: string,
  windows: readonly StoreWindow[],
  cost: number,
): CounterUpdate {
  const filter: Record<string, unknown> = { _id: clientId }
  const inc: Record<string, number> = {}
  for (const w of windows) {
    Object.assign(filter, roomFilter('current', w, cost))
    inc[`current.${w.duration}.used`] = double(cost)
    inc[`current.${w.duration}.version`] = double(1)
  }
  return { filter: filter as Filter<CounterDocument>, update: { $inc: inc } }
}

/** Each window's `used` in `doc` after {@link currentWindowsCharge} matched. */
export function usedInCurrent(doc: CounterDocument, windows: readonly StoreWindow[]): number[] {
  return windows.map((w) => doc.current?.[w.duration]?.used ?? 0)
}

/** A client's first counter document: every window not placed in the archive, each at `cost`. */
export function newCounterDocument(
  clientId: string,
  windows: readonly StoreWindow[],
  placements: readonly Placement[],
  cost: number,
): CounterDocument {
  const current: SlotsByDuration = {}
  for (const [i, w] of windows.entries()) {
    if ((placements[i] as Placement).at !== 'archive') current[w.duration] = newSlot(w, cost)
  }
  return { _id: clientId, current, previous: {} }
}

/** {@link placedCharge}'s update, and the previous slots to copy into the archive before sending it. */
export interface PlacedCharge extends CounterUpdate {
  readonly toArchive: readonly { readonly duration: QuotaDuration; readonly slot: SlotDocument }[]
}

/**
 * Charges the windows placed in the document with one conditional update: current and previous ones
 * by `$inc` if they have room, new ones by rolling the current slot into previous (the previous one
 * goes to the archive first, see `toArchive`). Guarded by the versions read, so it matches only if
 * nothing changed since. Archive placements are left to the caller.
 */
export function placedCharge(
  clientId: string,
  windows: readonly StoreWindow[],
  placements: readonly Placement[],
  cost: number,
): PlacedCharge {
  const filter: Record<string, unknown> = { _id: clientId }
  const inc: Record<string, number> = {}
  const set: Record<string, SlotDocument> = {}
  const toArchive: { duration: QuotaDuration; slot: SlotDocument }[] = []
  for (const [i, w] of windows.entries()) {
    const p = placements[i] as Placement
    const d = w.duration
    if (p.at === 'current' || p.at === 'previous') {
      Object.assign(filter, roomFilter(p.at, w, cost))
      inc[`${p.at}.${d}.used`] = double(cost)
      inc[`${p.at}.${d}.version`] = double(1)
    } else if (p.at === 'new') {
      set[`current.${d}`] = newSlot(w, cost)
      if (p.current === undefined) {
        filter[`current.${d}`] = { $exists: false }
        continue
      }
      const { start, end, used, version } = p.current
      filter[`current.${d}.start`] = start
      filter[`current.${d}.version`] = version
      set[`previous.${d}`] = { start, end, used: double(used), version: double(version) }
      if (p.previous === undefined) {
        filter[`previous.${d}`] = { $exists: false }
        continue
      }
      filter[`previous.${d}.start`] = p.previous.start
      filter[`previous.${d}.version`] = p.previous.version
      toArchive.push({ duration: d, slot: p.previous })
    }
  }
  const update: UpdateFilter<CounterDocument> = {}
  if (Object.keys(inc).length > 0) update.$inc = inc
  if (Object.keys(set).length > 0) update.$set = set
  return { filter: filter as Filter<CounterDocument>, update, toArchive }
}

/** Each document-placed window's `used` in `after` (the document {@link placedCharge} returned). */
export function usedAfterPlacedCharge(
  after: CounterDocument,
  windows: readonly StoreWindow[],
  placements: readonly Placement[],
  used: number[],
): void {
  for (const [i, w] of windows.entries()) {
    if ((placements[i] as Placement).at === 'archive') continue
    const current = after.current?.[w.duration]
    used[i] = (current?.start === w.start ? current.used : after.previous?.[w.duration]?.used) ?? 0
  }
}

/**
 * A refund of `credits` from window `w` held in slot `at`, never below zero: `down` subtracts when the
 * slot holds at least `credits`, `zero` empties it when it holds less. Exactly one of them matches
 * (unless the slot changed window), so a caller tries `down`, then `zero`.
 */
export function slotRefund(
  clientId: string,
  at: SlotField,
  w: StoreWindow,
  credits: number,
): { readonly down: CounterUpdate; readonly zero: CounterUpdate } {
  const path = `${at}.${w.duration}`
  const held = { _id: clientId, [`${path}.start`]: w.start }
  return {
    down: {
      filter: { ...held, [`${path}.used`]: { $gte: credits } } as Filter<CounterDocument>,
      update: { $inc: { [`${path}.used`]: double(-credits), [`${path}.version`]: double(1) } },
    },
    zero: {
      filter: { ...held, [`${path}.used`]: { $lt: credits } } as Filter<CounterDocument>,
      update: { $set: { [`${path}.used`]: double(0) }, $inc: { [`${path}.version`]: double(1) } },
    },
  }
}

/** Matches the counter documents holding a slot (current or previous) that ended at or before `before`. */
export function endedSlotsFilter(before: number): Filter<CounterDocument> {
  return {
    $or: QUOTA_DURATIONS.flatMap((d) => [
      { [`current.${d}.end`]: { $lte: before } },
      { [`previous.${d}.end`]: { $lte: before } },
    ]),
  } as Filter<CounterDocument>
}

/**
 * One update per slot of `doc` that `drop` selects, removing that slot only if it still holds the
 * window that was read (a newer window in its place stays).
 */
export function slotRemovals(doc: CounterDocument, drop: (slot: SlotDocument) => boolean): CounterUpdate[] {
  const removals: CounterUpdate[] = []
  for (const at of ['current', 'previous'] as const) {
    for (const [d, slot] of Object.entries(doc[at] ?? {})) {
      if (slot === undefined || !drop(slot)) continue
      removals.push({
        filter: { _id: doc._id, [`${at}.${d}.start`]: slot.start } as Filter<CounterDocument>,
        update: { $unset: { [`${at}.${d}`]: '' } },
      })
    }
  }
  return removals
}
