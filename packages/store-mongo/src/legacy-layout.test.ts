import { describe, expect, it } from '@jest/globals'
import { Double } from 'mongodb'
import { LEGACY_COUNTERS, LEGACY_IDEMPOTENCY_KEYS, LEGACY_LEDGER } from './legacy-layout.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)

describe('the layout-1 conversions', () => {
  it('spells out every slot of a counter document, and only matches it while its versions are the ones read', () => {
    const old = { _id: 'a', w: { minute: { s: T0, e: T0 + 60_000, u: 7, n: 9 } }, p: {} }
    expect(LEGACY_COUNTERS.convert(old)).toEqual({
      _id: 'a',
      current: { minute: { start: T0, end: T0 + 60_000, used: new Double(7), version: new Double(9) } },
      previous: {},
    })
    expect(LEGACY_COUNTERS.unchanged(old)).toEqual({ _id: 'a', current: { $exists: false }, 'w.minute.n': 9 })
  })

  it('keeps a pending key pending with its lease, and a done key done with its answer', () => {
    const pending = { _id: 'k', c: 'a', k: 'k1', x: T0, st: 'pending' as const, t: 'o', l: T0 + 5 }
    expect(LEGACY_IDEMPOTENCY_KEYS.convert(pending)).toEqual({
      ...{ _id: 'k', clientId: 'a', key: 'k1', expiresAt: T0 },
      ...{ state: 'pending', owner: 'o', leaseUntil: T0 + 5 },
    })
    const done = { _id: 'k', c: 'a', k: 'k1', x: T0, st: 'done' as const, t: 'o', used: [3] }
    expect(LEGACY_IDEMPOTENCY_KEYS.convert(done)).toEqual({
      ...{ _id: 'k', clientId: 'a', key: 'k1', expiresAt: T0 },
      ...{ state: 'done', owner: 'o', used: [3] },
    })
  })

  it('guards a ledger bucket by the credits read, so a concurrent charge is converted again rather than lost', () => {
    const old = { _id: 'b', c: 'a', b: T0, n: 5 }
    expect(LEGACY_LEDGER.convert(old)).toEqual({
      _id: 'b',
      clientId: 'a',
      bucketStart: T0,
      credits: new Double(5),
    })
    expect(LEGACY_LEDGER.unchanged(old)).toEqual({ _id: 'b', c: 'a', n: 5 })
  })
})
