import { describe, expect, it } from '@jest/globals'
import { type StoreWindow, UNLIMITED } from '@x/api-billing-core'
import { Double } from 'mongodb'
import {
  currentWindowsCharge,
  endedSlotsFilter,
  newCounterDocument,
  placedCharge,
  placeWindows,
  slotRefund,
  slotRemovals,
  usedAfterPlacedCharge,
  usedInCurrent,
  usedOf,
} from './counter-documents.js'
import type { CounterDocument, SlotDocument } from './store-documents.js'

const MINUTE = 60_000
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const minute = (i: number, limit = 10): StoreWindow => ({
  duration: 'minute',
  start: T0 + i * MINUTE,
  end: T0 + (i + 1) * MINUTE,
  limit,
})
const day: StoreWindow = { duration: 'day', start: T0 - 43_200_000, end: T0 + 43_200_000, limit: UNLIMITED }
const slot = (i: number, used: number, version: number): SlotDocument => ({
  start: T0 + i * MINUTE,
  end: T0 + (i + 1) * MINUTE,
  used,
  version,
})
const bson = (value: number) => new Double(value)
/** A document holding minute `current` as the current window and minute `previous` as the previous one. */
const doc = (current?: SlotDocument, previous?: SlotDocument): CounterDocument => ({
  _id: 'a',
  current: current ? { minute: current } : {},
  previous: previous ? { minute: previous } : {},
})

describe('placeWindows', () => {
  it('finds a window in the current slot, the previous slot, or neither', () => {
    const stored = doc(slot(5, 3, 4), slot(4, 7, 9))
    expect(placeWindows(stored, [minute(5), minute(4)])).toEqual([
      { at: 'current', slot: slot(5, 3, 4) },
      { at: 'previous', slot: slot(4, 7, 9) },
    ])
    expect(placeWindows(stored, [minute(6)])).toEqual([
      { at: 'new', current: slot(5, 3, 4), previous: slot(4, 7, 9) },
    ])
    expect(placeWindows(stored, [minute(3)])).toEqual([{ at: 'archive', used: 0 }])
  })

  it('places every window as new when the client has no document or no slot of that duration', () => {
    expect(placeWindows(null, [minute(0), day])).toEqual([{ at: 'new' }, { at: 'new' }])
    expect(placeWindows(doc(slot(0, 1, 1)), [day])).toEqual([{ at: 'new' }])
  })

  it('never places a window older than the stored ones as new, so a late clock cannot reset a newer window', () => {
    expect(placeWindows(doc(slot(5, 3, 4)), [minute(4)])).toEqual([{ at: 'archive', used: 0 }])
  })

  it('reads used from the slot, zero for a new window', () => {
    expect(usedOf({ at: 'current', slot: slot(0, 3, 1) })).toBe(3)
    expect(usedOf({ at: 'archive', used: 4 })).toBe(4)
    expect(usedOf({ at: 'new' })).toBe(0)
  })
})

describe('currentWindowsCharge', () => {
  it('matches only when every window is current and has room, and charges all of them with their versions', () => {
    const { filter, update } = currentWindowsCharge('a', [minute(0, 10), day], 3)
    expect(filter).toEqual({
      _id: 'a',
      'current.minute.start': T0,
      'current.minute.used': { $lte: 7 },
      'current.day.start': day.start,
    })
    expect(update).toEqual({
      $inc: {
        'current.minute.used': bson(3),
        'current.minute.version': bson(1),
        'current.day.used': bson(3),
        'current.day.version': bson(1),
      },
    })
  })

  it('states a cost above the limit as a bound no count meets', () => {
    expect(currentWindowsCharge('a', [minute(0, 2)], 3).filter).toMatchObject({
      'current.minute.used': { $lte: -1 },
    })
  })

  it('answers the current slots used after the update', () => {
    expect(usedInCurrent(doc(slot(0, 8, 2)), [minute(0)])).toEqual([8])
  })
})

describe('placedCharge', () => {
  it('rolls the current window into previous and archives the one pushed out, guarded by the versions read', () => {
    const current = slot(1, 6, 3)
    const previous = slot(0, 9, 5)
    const charge = placedCharge('a', [minute(2)], placeWindows(doc(current, previous), [minute(2)]), 4)
    expect(charge.filter).toEqual({
      _id: 'a',
      'current.minute.start': current.start,
      'current.minute.version': 3,
      'previous.minute.start': previous.start,
      'previous.minute.version': 5,
    })
    expect(charge.update).toEqual({
      $set: {
        'current.minute': { start: T0 + 2 * MINUTE, end: T0 + 3 * MINUTE, used: bson(4), version: bson(1) },
        'previous.minute': { start: current.start, end: current.end, used: bson(6), version: bson(3) },
      },
    })
    expect(charge.toArchive).toEqual([{ duration: 'minute', slot: previous }])
  })

  it('requires an absent slot to be still absent', () => {
    expect(placedCharge('a', [day], [{ at: 'new' }], 1).filter).toEqual({
      _id: 'a',
      'current.day': { $exists: false },
    })
    const noPrevious = placedCharge('a', [minute(1)], placeWindows(doc(slot(0, 1, 1)), [minute(1)]), 1)
    expect(noPrevious.filter).toMatchObject({ 'previous.minute': { $exists: false } })
    expect(noPrevious.toArchive).toEqual([])
  })

  it('charges a previous window in place when it has room, and leaves archived windows to the caller', () => {
    const stored = doc(slot(1, 0, 1), slot(0, 2, 7))
    const windows = [minute(0, 5), minute(-1)]
    const charge = placedCharge('a', windows, [...placeWindows(stored, windows)], 3)
    expect(charge.filter).toEqual({
      _id: 'a',
      'previous.minute.start': T0,
      'previous.minute.used': { $lte: 2 },
    })
    expect(charge.update).toEqual({
      $inc: { 'previous.minute.used': bson(3), 'previous.minute.version': bson(1) },
    })
  })

  it('reads each window back from the slot it ended up in', () => {
    const windows = [minute(1), minute(0)]
    const used = [0, 0]
    usedAfterPlacedCharge(
      doc(slot(1, 4, 1), slot(0, 9, 2)),
      windows,
      [{ at: 'new' }, { at: 'previous', slot: slot(0, 8, 1) }],
      used,
    )
    expect(used).toEqual([4, 9])
  })
})

describe('newCounterDocument', () => {
  it('starts every window the document holds at the cost, and leaves archived ones out', () => {
    const created = newCounterDocument('a', [minute(0), day], [{ at: 'new' }, { at: 'archive', used: 0 }], 2)
    expect(created).toEqual({
      _id: 'a',
      current: { minute: { start: T0, end: T0 + MINUTE, used: bson(2), version: bson(1) } },
      previous: {},
    })
  })
})

describe('slotRefund', () => {
  it('subtracts when the window holds enough and empties it otherwise, never below zero', () => {
    const { down, zero } = slotRefund('a', 'previous', minute(0), 5)
    expect(down).toEqual({
      filter: { _id: 'a', 'previous.minute.start': T0, 'previous.minute.used': { $gte: 5 } },
      update: { $inc: { 'previous.minute.used': bson(-5), 'previous.minute.version': bson(1) } },
    })
    expect(zero).toEqual({
      filter: { _id: 'a', 'previous.minute.start': T0, 'previous.minute.used': { $lt: 5 } },
      update: { $set: { 'previous.minute.used': bson(0) }, $inc: { 'previous.minute.version': bson(1) } },
    })
  })
})

describe('slot removal', () => {
  it('removes only the selected slots, each only while it still holds the window read', () => {
    const removals = slotRemovals(doc(slot(1, 1, 1), slot(0, 1, 1)), (s) => s.start < T0 + MINUTE)
    expect(removals).toEqual([
      { filter: { _id: 'a', 'previous.minute.start': T0 }, update: { $unset: { 'previous.minute': '' } } },
    ])
  })

  it('finds documents with a current or previous slot of any duration that ended by the cut-off', () => {
    const { $or } = endedSlotsFilter(T0) as { $or: Record<string, unknown>[] }
    expect($or).toContainEqual({ 'current.second.end': { $lte: T0 } })
    expect($or).toContainEqual({ 'previous.year.end': { $lte: T0 } })
    expect($or).toHaveLength(14)
  })
})
