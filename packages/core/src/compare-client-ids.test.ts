import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { compareClientIds } from './compare-client-ids.js'

const utf8 = (s: string) => Buffer.from(s, 'utf8')

describe('compareClientIds', () => {
  it('orders past U+FFFF as UTF-8 bytes do, not as UTF-16 code units', () => {
    expect(['🙂', '\uFFFF', 'b', 'A', 'a', 'ab', ''].sort(compareClientIds)).toEqual([
      '',
      'A',
      'a',
      'ab',
      'b',
      '\uFFFF',
      '🙂',
    ])
  })

  it('agrees with a byte-wise comparison of the UTF-8 encodings for any well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareClientIds(a, b))).toBe(Math.sign(Buffer.compare(utf8(a), utf8(b))))
      }),
      { numRuns: 2000 },
    )
  })
})
