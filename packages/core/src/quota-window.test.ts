import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import type { QuotaDefinition } from './quota-definition.js'
import { QUOTA_DURATIONS, QuotaDuration } from './quota-duration.js'
import { quotaWindow } from './quota-window.js'

const iso = (d: Date) => d.toISOString()
function windowOf(definition: Omit<QuotaDefinition, 'creditLimit'>, at: string): [string, string] {
  const w = quotaWindow({ creditLimit: 1, ...definition }, new Date(at))
  return [iso(w.start), iso(w.end)]
}
const month = (startDate: string, timeZone = 'UTC') => ({
  duration: QuotaDuration.MONTH,
  startDate: new Date(startDate),
  timeZone,
})

describe('quotaWindow for month-end anchors', () => {
  it.each([
    [
      'the 31st in a leap February',
      '2024-01-31T00:00:00Z',
      '2024-02-15T00:00:00Z',
      '2024-01-31T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
    ],
    [
      'the 31st clamped to Feb 29',
      '2024-01-31T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-02-29T00:00:00.000Z',
      '2024-03-31T00:00:00.000Z',
    ],
    [
      'the 31st clamped to Feb 28',
      '2025-01-31T00:00:00Z',
      '2025-03-30T23:59:59Z',
      '2025-02-28T00:00:00.000Z',
      '2025-03-31T00:00:00.000Z',
    ],
    [
      'the 31st back on Mar 31',
      '2025-01-31T00:00:00Z',
      '2025-03-31T00:00:00Z',
      '2025-03-31T00:00:00.000Z',
      '2025-04-30T00:00:00.000Z',
    ],
    [
      'the 31st clamped to Apr 30',
      '2025-01-31T00:00:00Z',
      '2025-05-01T00:00:00Z',
      '2025-04-30T00:00:00.000Z',
      '2025-05-31T00:00:00.000Z',
    ],
    [
      'the 30th in February',
      '2023-11-30T00:00:00Z',
      '2025-02-28T12:00:00Z',
      '2025-02-28T00:00:00.000Z',
      '2025-03-30T00:00:00.000Z',
    ],
    [
      'the 29th in a common February',
      '2023-01-29T00:00:00Z',
      '2025-03-01T00:00:00Z',
      '2025-02-28T00:00:00.000Z',
      '2025-03-29T00:00:00.000Z',
    ],
    [
      'the 29th in a leap February',
      '2023-01-29T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-02-29T00:00:00.000Z',
      '2024-03-29T00:00:00.000Z',
    ],
    [
      'an anchor far in the past',
      '1999-12-31T08:00:00Z',
      '2026-11-28T09:00:00Z',
      '2026-10-31T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
    ],
  ])('handles %s', (_name, anchor, at, start, end) => {
    expect(windowOf(month(anchor), at)).toEqual([start, end])
  })

  it('is the previous window just before a boundary and the next one exactly on it', () => {
    expect(windowOf(month('2025-01-31T00:00:00Z'), '2025-02-27T23:59:59.999Z')).toEqual([
      '2025-01-31T00:00:00.000Z',
      '2025-02-28T00:00:00.000Z',
    ])
    expect(windowOf(month('2025-01-31T00:00:00Z'), '2025-02-28T00:00:00.000Z')).toEqual([
      '2025-02-28T00:00:00.000Z',
      '2025-03-31T00:00:00.000Z',
    ])
  })

  it('keeps the wall-clock time of the anchor across DST in Europe/Berlin', () => {
    // 00:00 local on the 31st: +01:00 in winter, +02:00 in summer.
    expect(windowOf(month('2025-01-30T23:00:00Z', 'Europe/Berlin'), '2025-04-15T00:00:00Z')).toEqual([
      '2025-03-30T22:00:00.000Z',
      '2025-04-29T22:00:00.000Z',
    ])
  })
})

describe('quotaWindow for yearly anchors', () => {
  const leapDay = { duration: QuotaDuration.YEAR, startDate: new Date('2024-02-29T00:00:00Z') }

  it('renews a Feb 29 anchor on Feb 28 in common years and Feb 29 in leap years', () => {
    expect(windowOf(leapDay, '2025-06-01T00:00:00Z')).toEqual([
      '2025-02-28T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
    ])
    expect(windowOf(leapDay, '2028-03-01T00:00:00Z')).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2029-02-28T00:00:00.000Z',
    ])
  })

  it('starts on January 1st in the zone without an anchor', () => {
    expect(windowOf({ duration: 'year', timeZone: 'Asia/Kolkata' }, '2026-06-01T00:00:00Z')).toEqual([
      '2025-12-31T18:30:00.000Z',
      '2026-12-31T18:30:00.000Z',
    ])
  })
})

describe('quotaWindow across DST changes', () => {
  it.each([
    // zone, an instant on the change day, the local day [start, end) in UTC, hours long
    ['America/New_York', '2026-03-08T12:00:00Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', 23],
    ['America/New_York', '2026-11-01T12:00:00Z', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 25],
    ['Europe/Berlin', '2026-03-29T12:00:00Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23],
    ['Europe/Berlin', '2026-10-25T12:00:00Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25],
    ['Australia/Sydney', '2026-04-05T06:00:00Z', '2026-04-04T13:00:00.000Z', '2026-04-05T14:00:00.000Z', 25],
    ['Australia/Sydney', '2026-10-04T06:00:00Z', '2026-10-03T14:00:00.000Z', '2026-10-04T13:00:00.000Z', 23],
    ['Asia/Kolkata', '2026-03-08T12:00:00Z', '2026-03-07T18:30:00.000Z', '2026-03-08T18:30:00.000Z', 24],
    ['Asia/Kathmandu', '2026-03-08T12:00:00Z', '2026-03-07T18:15:00.000Z', '2026-03-08T18:15:00.000Z', 24],
  ])('gives %s a local day of the right length around %s', (timeZone, at, start, end, hours) => {
    const [s, e] = windowOf({ duration: 'day', timeZone }, at)
    expect([s, e]).toEqual([start, end])
    expect((Date.parse(e) - Date.parse(s)) / 3_600_000).toBe(hours)
  })

  it('moves a start time that does not exist forward by the gap', () => {
    // Anchored at 02:30 local; on 2026-03-08 New York jumps from 02:00 to 03:00.
    const anchor = {
      duration: 'day' as const,
      timeZone: 'America/New_York',
      startDate: new Date('2026-03-01T07:30:00Z'),
    }
    expect(windowOf(anchor, '2026-03-08T12:00:00Z')).toEqual([
      '2026-03-08T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ])
  })

  it('takes the earlier instant of an ambiguous start time', () => {
    // Anchored at 01:30 local; on 2026-11-01 New York repeats 01:00–02:00.
    const anchor = {
      duration: 'day' as const,
      timeZone: 'America/New_York',
      startDate: new Date('2026-10-25T05:30:00Z'),
    }
    expect(windowOf(anchor, '2026-11-01T06:00:00Z')).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ])
  })

  it('keeps weekly windows on Monday local midnight by default', () => {
    expect(windowOf({ duration: 'week', timeZone: 'Europe/Berlin' }, '2026-11-28T12:00:00Z')).toEqual([
      '2026-11-22T23:00:00.000Z',
      '2026-11-29T23:00:00.000Z',
    ])
  })
})

describe('quotaWindow for fixed durations', () => {
  it('aligns hours to the local hour in a :45 zone and minutes to the anchor', () => {
    expect(windowOf({ duration: 'hour', timeZone: 'Asia/Kathmandu' }, '2026-01-01T00:00:00Z')).toEqual([
      '2025-12-31T23:15:00.000Z',
      '2026-01-01T00:15:00.000Z',
    ])
    const anchor = new Date('2026-01-01T00:00:20Z')
    expect(windowOf({ duration: 'minute', startDate: anchor }, '2026-01-01T00:05:19.999Z')).toEqual([
      '2026-01-01T00:04:20.000Z',
      '2026-01-01T00:05:20.000Z',
    ])
  })

  it('includes the start and excludes the end', () => {
    expect(windowOf({ duration: 'second' }, '2026-01-01T00:00:01.000Z')).toEqual([
      '2026-01-01T00:00:01.000Z',
      '2026-01-01T00:00:02.000Z',
    ])
  })

  it('tiles backwards before the anchor on the same grid', () => {
    const anchor = { duration: 'month' as const, startDate: new Date('2026-01-31T00:00:00Z') }
    expect(windowOf(anchor, '2025-12-15T00:00:00Z')).toEqual([
      '2025-11-30T00:00:00.000Z',
      '2025-12-31T00:00:00.000Z',
    ])
  })
})

describe('quotaWindow input validation', () => {
  it.each([
    [{ duration: 'fortnight', creditLimit: 1 }, 'definition.duration'],
    [{ duration: 'day', creditLimit: -1 }, 'definition.creditLimit'],
    [{ duration: 'day', creditLimit: Number.NaN }, 'definition.creditLimit'],
    [{ duration: 'day', creditLimit: 1.5 }, 'definition.creditLimit'],
    [{ duration: 'day', creditLimit: 1, timeZone: 'Mars/Olympus' }, 'definition.timeZone'],
    [{ duration: 'day', creditLimit: 1, startDate: new Date('nope') }, 'definition.startDate'],
    [{ duration: 'day', creditLimit: 1, startDate: '2026-01-01' }, 'definition.startDate'],
  ])('rejects %p naming %s', (definition, argument) => {
    expect(() => quotaWindow(definition as QuotaDefinition, new Date())).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError', argument }),
    )
  })

  it('rejects an invalid instant', () => {
    expect(() => quotaWindow({ duration: 'day', creditLimit: 1 }, new Date(Number.NaN))).toThrow(
      InvalidArgumentError,
    )
  })
})

describe('quotaWindow properties', () => {
  const zones = [
    'UTC',
    'America/New_York',
    'Europe/Berlin',
    'Australia/Sydney',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Pacific/Chatham',
  ]
  const instant = fc.date({
    min: new Date('1990-01-01T00:00:00Z'),
    max: new Date('2060-01-01T00:00:00Z'),
    noInvalidDate: true,
  })
  const definition = fc.record({
    duration: fc.constantFrom(...QUOTA_DURATIONS),
    creditLimit: fc.constant(1),
    startDate: instant,
    timeZone: fc.constantFrom(...zones),
  })

  it('contains the instant and tiles with no gap or overlap', () => {
    fc.assert(
      fc.property(definition, instant, (def, at) => {
        const w = quotaWindow(def, at)
        expect(w.start.getTime()).toBeLessThanOrEqual(at.getTime())
        expect(at.getTime()).toBeLessThan(w.end.getTime())
        expect(quotaWindow(def, w.end).start).toEqual(w.end)
        expect(quotaWindow(def, new Date(w.start.getTime() - 1)).end).toEqual(w.start)
      }),
      { numRuns: 300 },
    )
  })

  it('does not drift over 600 months from a month-end anchor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 28, max: 31 }), fc.constantFrom(...zones), (dayOfMonth, timeZone) => {
        const anchor = new Date(Date.UTC(2000, 0, dayOfMonth, 12))
        const def: QuotaDefinition = { duration: 'month', creditLimit: 1, startDate: anchor, timeZone }
        let w = quotaWindow(def, anchor)
        const anchorDay = new Intl.DateTimeFormat('en-CA', { timeZone, day: 'numeric' }).format(anchor)
        for (let i = 0; i < 600; i++) w = quotaWindow(def, w.end)
        // 600 months later (January 2050): the same local day of month as the anchor, never an earlier clamp.
        const day = new Intl.DateTimeFormat('en-CA', { timeZone, day: 'numeric' }).format(w.start)
        expect(day).toBe(anchorDay)
      }),
      { numRuns: 12 },
    )
  })
})
