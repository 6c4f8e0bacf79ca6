/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import { type QuotaDuration, quotaWindowJson, tightestFirst } from '@x/api-billing-core'
import fc from 'fast-check'
import { decisionOf } from './test-support/fixtures.js'
import { tightestWindow } from './tightest-window.js'

describe('tightestWindow', () => {
  it('picks the window core ranks tightest', () => {
    const durations: QuotaDuration[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year']
    const window = fc.record({
      duration: fc.constantFrom(...durations),
      limit: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(Number.POSITIVE_INFINITY)),
      used: fc.integer({ min: 0, max: 25 }),
      resetHour: fc.integer({ min: 11, max: 14 }),
    })
    fc.assert(
      fc.property(fc.uniqueArray(window, { selector: (w) => w.duration, maxLength: 7 }), (specs) => {
        const decision = decisionOf(
          specs.map((w) => ({
            duration: w.duration,
            limit: w.limit,
            used: w.used,
            start: '2025-03-10T00:00:00.000Z',
            resetAt: `2025-03-10T${w.resetHour}:00:00.000Z`,
          })),
        )
        const expected = tightestFirst(decision)[0]
        expect(tightestWindow(decision.windows.map(quotaWindowJson))).toEqual(
          expected === undefined ? undefined : quotaWindowJson(expected),
        )
      }),
    )
  })
})
