/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import {
  tightestWindow as coreTightestWindow,
  type QuotaDuration,
  quotaWindowJson,
} from '@x/api-billing-core'
import fc from 'fast-check'
import { decisionOf, type WindowSpec } from './test-support/fixtures.js'
import { tightestWindow } from './tightest-window.js'

function spec(duration: QuotaDuration, limit: number, used: number, resetAt: string): WindowSpec {
  return { duration, limit, used, start: '2025-03-10T00:00:00.000Z', resetAt }
}

/** The status windows (JSON) of a decision over `specs`. */
function windowsOf(...specs: WindowSpec[]) {
  return decisionOf(specs).windows.map(quotaWindowJson)
}

describe('tightestWindow', () => {
  it('picks the window with the fewest credits remaining', () => {
    const windows = windowsOf(
      spec('hour', 10, 1, '2025-03-10T11:00:00.000Z'),
      spec('month', 100, 95, '2025-04-01T00:00:00.000Z'),
    )
    expect(tightestWindow(windows)?.duration).toBe('month')
  })

  it('on equal remaining, picks the window that renews first', () => {
    const windows = windowsOf(
      spec('day', 500, 400, '2025-03-10T14:00:00.000Z'),
      spec('month', 10_000, 9_900, '2025-03-10T13:00:00.000Z'),
    )
    expect(tightestWindow(windows)?.duration).toBe('month')
    expect(tightestWindow([...windows].reverse())?.duration).toBe('month')
  })

  it('on equal remaining and equal reset, picks the shorter duration', () => {
    const windows = windowsOf(
      spec('week', 700, 600, '2025-03-10T14:00:00.000Z'),
      spec('day', 500, 400, '2025-03-10T14:00:00.000Z'),
    )
    expect(tightestWindow(windows)?.duration).toBe('day')
    expect(tightestWindow([...windows].reverse())?.duration).toBe('day')
  })

  it('never picks an unlimited window', () => {
    const unlimited = windowsOf(spec('day', Number.POSITIVE_INFINITY, 5, '2025-03-10T14:00:00.000Z'))
    expect(tightestWindow(unlimited)).toBeUndefined()
    const mixed = windowsOf(
      spec('day', Number.POSITIVE_INFINITY, 5, '2025-03-10T11:00:00.000Z'),
      spec('month', 100, 100, '2025-04-01T00:00:00.000Z'),
    )
    expect(tightestWindow(mixed)?.duration).toBe('month')
    expect(tightestWindow([])).toBeUndefined()
  })

  it("picks the window core's tightestWindow picks", () => {
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
          specs.map((w) => spec(w.duration, w.limit, w.used, `2025-03-10T${w.resetHour}:00:00.000Z`)),
        )
        const expected = coreTightestWindow(decision.windows)
        expect(tightestWindow(decision.windows.map(quotaWindowJson))).toEqual(
          expected === undefined ? undefined : quotaWindowJson(expected),
        )
      }),
      { numRuns: 500 },
    )
  })
})
