import { describe, expect, it } from '@jest/globals'
import { type StoreWindow, UNLIMITED } from '@x/api-billing-core'
import { Double } from 'mongodb'
import { type BatchItem, mergedAnswers, planBatch, sameWindows } from './counter-batches.js'
import type { CounterDocument } from './store-documents.js'
import { day, minute, T0 } from './test-support/windows.js'

const slot = (window: StoreWindow, used: number, version = 1) => ({
  start: window.start,
  end: window.end,
  used,
  version,
})
const item = (cost: number, ...windows: StoreWindow[]): BatchItem => ({ windows, cost })

describe('planBatch', () => {
  const doc: CounterDocument = {
    _id: 'a',
    current: { minute: slot(minute(10), 0), day: slot(day(100), 50, 4) },
    previous: {},
  }

  it('decides each request in arrival order on what the earlier ones left', () => {
    const items = [3, 5, 4, 2].map((cost) => item(cost, minute(10), day(100)))
    const plan = planBatch(doc, 'a', items)
    expect(plan?.answers).toEqual([
      { allowed: true, used: [3, 53] },
      { allowed: true, used: [8, 58] },
      { allowed: false, used: [8, 58] },
      { allowed: true, used: [10, 60] },
    ])
  })

  it('writes the granted total once, only while every slot still holds the window and count read', () => {
    const plan = planBatch(doc, 'a', [item(3, minute(10), day(100)), item(20, minute(10), day(100))])
    expect(plan?.write).toEqual({
      filter: {
        _id: 'a',
        'current.minute.start': T0,
        'current.minute.used': 0,
        'current.day.start': day(1).start,
        'current.day.used': 50,
      },
      update: {
        $inc: {
          'current.minute.used': new Double(3),
          'current.minute.version': new Double(1),
          'current.day.used': new Double(3),
          'current.day.version': new Double(1),
        },
      },
    })
  })

  it('guards a slot a refused request read even when nothing is added to it', () => {
    const plan = planBatch(doc, 'a', [item(1, day(100)), item(11, minute(10))])
    expect(plan?.write?.filter).toMatchObject({ 'current.minute.used': 0 })
    expect(plan?.write?.update).toEqual({
      $inc: { 'current.day.used': new Double(1), 'current.day.version': new Double(1) },
    })
  })

  it('needs no write when every request is refused', () => {
    const plan = planBatch(doc, 'a', [item(11, minute(10)), item(51, day(100))])
    expect(plan).toEqual({
      answers: [
        { allowed: false, used: [0] },
        { allowed: false, used: [50] },
      ],
    })
  })

  it('leaves a batch with a new window, an archived one or no document to one-at-a-time charging', () => {
    expect(planBatch(doc, 'a', [item(1, minute(10)), item(1, minute(10, 1))])).toBeUndefined()
    expect(planBatch(doc, 'a', [item(1, minute(10, -5))])).toBeUndefined()
    expect(planBatch(null, 'a', [item(1, minute(10))])).toBeUndefined()
  })

  it('counts an unlimited window without ever refusing for it', () => {
    const plan = planBatch(doc, 'a', [item(1_000, day(UNLIMITED))])
    expect(plan?.answers).toEqual([{ allowed: true, used: [1_050] }])
  })
})

describe('merged charges', () => {
  it('tells requests with the very same windows from others', () => {
    expect(sameWindows([item(1, minute(10), day(5)), item(2, minute(10), day(5))])).toBe(true)
    expect(sameWindows([item(1, minute(10)), item(1, minute(11))])).toBe(false)
    expect(sameWindows([item(1, minute(10)), item(1, minute(10, 1))])).toBe(false)
  })

  it('gives each request the counts right after it, from the document the merged update returned', () => {
    const after: CounterDocument = {
      _id: 'a',
      current: { minute: slot(minute(10), 9), day: slot(day(100), 59) },
    }
    const items = [2, 3, 4].map((cost) => item(cost, minute(10), day(100)))
    expect(mergedAnswers(after, items)).toEqual([
      { allowed: true, used: [2, 52] },
      { allowed: true, used: [5, 55] },
      { allowed: true, used: [9, 59] },
    ])
  })
})
