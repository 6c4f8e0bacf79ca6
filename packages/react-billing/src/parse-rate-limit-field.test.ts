/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import type { QuotaDuration } from '@x/api-billing-core'
import fc from 'fast-check'
import { type BareItem, type Item, serializeList, Token } from 'structured-headers'
import { DURATION_ORDER } from './duration-order.js'
import { parseRateLimitField } from './parse-rate-limit-field.js'

/** The result as plain arrays, so a mismatch prints readably. */
function plain(value: string): [string, [string, number][]][] | undefined {
  const items = parseRateLimitField(value)
  return items === undefined ? undefined : [...items].map(([name, params]) => [name, [...params]])
}

describe('parseRateLimitField', () => {
  it('reads the RateLimit and RateLimit-Policy fields the Express binding writes', () => {
    expect(plain('"day";r=499;t=3600, "month";r=9999;t=1814400')).toEqual([
      [
        'day',
        [
          ['r', 499],
          ['t', 3600],
        ],
      ],
      [
        'month',
        [
          ['r', 9999],
          ['t', 1814400],
        ],
      ],
    ])
    expect(plain('"day";q=500;w=86400')).toEqual([
      [
        'day',
        [
          ['q', 500],
          ['w', 86400],
        ],
      ],
    ])
  })

  it('accepts window names as tokens and optional whitespace around members', () => {
    expect(plain('  day;r=1  ,\t"hour";r=2 ')).toEqual([
      ['day', [['r', 1]]],
      ['hour', [['r', 2]]],
    ])
  })

  it('reads an empty or blank field as no items', () => {
    expect(plain('')).toEqual([])
    expect(plain('   ')).toEqual([])
  })

  it.each([
    '"day";r=4,',
    ',"day";r=4',
    '"day";r=4,,"hour";r=1',
    '"day";',
    '"day";R=1',
    '"day";r=-',
    '"day";r=1.2345',
    '"day";r=1000000000000000',
    '"day";r=1.',
    '"bad\\escape"',
    '"unterminated',
    '"é"',
    '"day" "hour"',
    '(1 2',
    ':aGVsbG8=',
    '"day";r=?2',
  ])('ignores the whole field %j, which is not a valid List', (value) => {
    expect(parseRateLimitField(value)).toBeUndefined()
  })

  it('skips members that do not name a quota window', () => {
    const value =
      '"fortnight";r=1, ("day" "hour");r=2, ?1;r=3, 7;r=4, :aGVsbG8=:;r=5, %"day";r=6, "week";r=7, @1659578233'
    expect(plain(value)).toEqual([['week', [['r', 7]]]])
  })

  it('keeps only the non-negative integer parameters of an item', () => {
    expect(plain('"day";r=-1;t=1.5;q=?1;w;qu="requests";pk=:aGVsbG8=:;x=12')).toEqual([['day', [['x', 12]]]])
  })

  it('reads a decimal without fraction as the integer, as structured-headers cannot tell them apart', () => {
    expect(plain('"day";r=5.0;t=60')).toEqual([
      [
        'day',
        [
          ['r', 5],
          ['t', 60],
        ],
      ],
    ])
  })

  it('reads the balance item, which has no t, beside the windows', () => {
    expect(plain('"day";r=0;t=3600, "balance";r=123')).toEqual([
      [
        'day',
        [
          ['r', 0],
          ['t', 3600],
        ],
      ],
      ['balance', [['r', 123]]],
    ])
    expect(plain('balance;r=7')).toEqual([['balance', [['r', 7]]]])
  })

  it('lets a later item of the same name replace an earlier one', () => {
    expect(plain('"day";r=1, "day";r=2')).toEqual([['day', [['r', 2]]]])
  })

  const name: fc.Arbitrary<BareItem> = fc.oneof(
    fc.constantFrom(...DURATION_ORDER),
    fc.constantFrom(...DURATION_ORDER).map((d) => new Token(d)),
    fc.constantFrom('fortnight', 'Day', ''),
  )
  const param: fc.Arbitrary<BareItem> = fc.oneof(
    fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
    fc.integer({ min: -999_999, max: 999_999 }).map((n) => n / 1000 + 0.5),
    fc.boolean(),
    fc.string({ maxLength: 4 }).filter((s) => /^[ -~]*$/.test(s)),
  )
  const params = fc
    .uniqueArray(fc.tuple(fc.constantFrom('r', 't', 'q', 'w', 'qu'), param), {
      selector: ([k]) => k,
      maxLength: 4,
    })
    .map((entries) => new Map(entries))
  const item: fc.Arbitrary<Item> = fc.tuple(name, params)

  it('reads every list structured-headers serializes: duration items with their non-negative integers', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), (list) => {
        const expected = new Map<QuotaDuration, Map<string, number>>()
        for (const [value, p] of list) {
          const text = value instanceof Token ? value.toString() : value
          if (typeof text !== 'string' || !(DURATION_ORDER as readonly string[]).includes(text)) continue
          const kept = [...p].filter(
            (e): e is [string, number] => Number.isInteger(e[1]) && (e[1] as number) >= 0,
          )
          expected.set(text as QuotaDuration, new Map(kept))
        }
        expect(parseRateLimitField(serializeList(list))).toEqual(expected)
      }),
      { numRuns: 500 },
    )
  })

  it('never throws, whatever the text', () => {
    const chars = fc.constantFrom(...'"day;r=1t,. -()?:@%*\\aA9\té'.split(''))
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 16 }), (text) => {
        const items = parseRateLimitField(text)
        expect(items === undefined || items instanceof Map).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })
})
