/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { type BareItem, type List, parseList, serializeList, Token } from 'structured-headers'
import { parseStructuredFieldList, type StructuredFieldBareItem } from './structured-field-list.js'

// The oracle: structured-headers (a full RFC 9651 implementation). Both results are reduced to one
// comparable form; dates and display strings, which this parser deliberately rejects, are kept out.
type Plain = [string, unknown, [string, unknown][]] | ['inner', Plain[], [string, unknown][]]

function plainOracleBare(value: BareItem): unknown {
  if (value instanceof Token) return ['token', value.toString()]
  if (value instanceof ArrayBuffer) return ['binary', Buffer.from(value).toString('hex')]
  if (typeof value === 'number') return ['number', value]
  if (typeof value === 'string') return ['string', value]
  if (typeof value === 'boolean') return ['boolean', value]
  throw new Error(`unexpected oracle value ${String(value)}`)
}

function plainOurBare(value: StructuredFieldBareItem): unknown {
  switch (value.type) {
    case 'integer':
    case 'decimal':
      return ['number', value.value]
    case 'binary':
      return ['binary', Buffer.from(value.value, 'base64').toString('hex')]
    default:
      return [value.type, value.value]
  }
}

function oracle(input: string): unknown {
  let list: List
  try {
    list = parseList(input)
  } catch {
    return undefined
  }
  const params = (p: Map<string, BareItem>) => [...p].map(([k, v]) => [k, plainOracleBare(v)])
  return list.map(([value, p]) =>
    Array.isArray(value)
      ? ['inner', value.map(([v, ip]) => ['item', plainOracleBare(v), params(ip)]), params(p)]
      : ['item', plainOracleBare(value), params(p)],
  )
}

function ours(input: string): unknown {
  const list = parseStructuredFieldList(input)
  if (list === undefined) return undefined
  const params = (p: ReadonlyMap<string, StructuredFieldBareItem>) =>
    [...p].map(([k, v]) => [k, plainOurBare(v)])
  return list.map((m): Plain | unknown[] =>
    m.type === 'inner-list'
      ? [
          'inner',
          m.items.map((i) => (i.type === 'item' ? ['item', plainOurBare(i.value), params(i.params)] : [])),
          params(m.params),
        ]
      : ['item', plainOurBare(m.value), params(m.params)],
  )
}

describe('parseStructuredFieldList', () => {
  it('reads the RateLimit and RateLimit-Policy fields the Express binding writes', () => {
    const list = parseStructuredFieldList('"day";r=499;t=3600, "month";r=9999;t=1814400')
    expect(list).toEqual([
      {
        type: 'item',
        value: { type: 'string', value: 'day' },
        params: new Map([
          ['r', { type: 'integer', value: 499 }],
          ['t', { type: 'integer', value: 3600 }],
        ]),
      },
      {
        type: 'item',
        value: { type: 'string', value: 'month' },
        params: new Map([
          ['r', { type: 'integer', value: 9999 }],
          ['t', { type: 'integer', value: 1814400 }],
        ]),
      },
    ])
  })

  const corpus = [
    '"day";q=500;w=86400, "month";q=10000;w=2592000',
    'day;r=1;t=2',
    '  "day";r=1  ,\t"hour";r=2 ',
    '',
    '   ',
    '"a", ',
    ',"a"',
    '"a",,"b"',
    '"a";',
    '"a";R=1',
    '"a";r',
    '"a";r=?1;s=?0',
    '"a";r=?2',
    '"a";*k=1;k_-.*=2',
    '"a"; r=1',
    '"a" ;r=1',
    '"a";r=1;r=2',
    '"a";r=-0',
    '"a";r=-',
    '"a";r=1.5;t=2.',
    '"a";r=1.2345',
    '"a";r=123456789012.1',
    '"a";r=1234567890123.1',
    '"a";r=999999999999999',
    '"a";r=1000000000000000',
    '"a";r=01',
    '"esc\\"aped\\\\"',
    '"bad\\escape"',
    '"unterminated',
    '"tab\there"',
    '"é"',
    'tok/en:x*',
    '*tok',
    '1tok',
    '-tok',
    ':aGVsbG8=:',
    ':aGVsbG8=',
    ':a$b:',
    '(1 2 "x");p=1, 3',
    '( 1  2 )',
    '(1 2',
    '(1,2)',
    '()',
    '@1659578233',
    '%"display"',
    '"a"\t,"b"',
    '\t"a"',
    '"a" "b"',
    '?1;a, ?0',
    '"day";r=499;t=3600;qu="requests"',
  ]

  it.each(corpus)('agrees with structured-headers on %j', (input) => {
    // Dates (@) and display strings (%) are outside this parser: it rejects what the oracle accepts.
    if (input.startsWith('@') || input.startsWith('%')) {
      expect(() => parseList(input)).not.toThrow()
      expect(ours(input)).toBeUndefined()
      return
    }
    expect(ours(input)).toEqual(oracle(input))
  })

  const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,5}$/)
  const bare: fc.Arbitrary<BareItem> = fc.oneof(
    fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
    fc.integer({ min: -999_999, max: 999_999 }).map((n) => n / 1000 + 0.5),
    fc.string({ unit: fc.constantFrom(...' !"#\\azAZ09~'.split('')), maxLength: 8 }),
    fc.stringMatching(/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]{0,6}$/).map((t) => new Token(t)),
    fc.boolean(),
    fc.uint8Array({ maxLength: 6 }),
  )
  const params = fc.array(fc.tuple(key, bare), { maxLength: 3 }).map((entries) => new Map(entries))
  const item = fc.tuple(bare, params)
  const list: fc.Arbitrary<List> = fc.array(
    fc.oneof(
      { weight: 4, arbitrary: item },
      { weight: 1, arbitrary: fc.tuple(fc.array(item, { maxLength: 3 }), params) },
    ),
    { maxLength: 4 },
  )

  it('parses every list structured-headers serializes exactly as structured-headers parses it', () => {
    fc.assert(
      fc.property(list, (value) => {
        const text = serializeList(value)
        expect(ours(text)).toEqual(oracle(text))
      }),
      { numRuns: 500 },
    )
  })

  it('accepts and rejects the same arbitrary strings as structured-headers', () => {
    const chars = fc.constantFrom(...'"day;r=1t,. -()?:*\\aA9\t'.split(''))
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 16 }), (text) => {
        expect(ours(text)).toEqual(oracle(text))
      }),
      { numRuns: 3000 },
    )
  })
})
