import { describe, expect, it } from '@jest/globals'
import { DecisionChargeIds } from './decision-charge-ids.js'

const take = (ids: DecisionChargeIds, n: number) => Array.from({ length: n }, () => ids.next())

describe('DecisionChargeIds', () => {
  it('counts in hex after a 96-bit random prefix, across the 256-id blocks', () => {
    const ids = take(new DecisionChargeIds(), 4_097)
    const prefix = (ids[0] as string).slice(0, 25)
    expect(prefix).toMatch(/^[0-9a-f]{24}-$/)
    expect([ids[0], ids[255], ids[256], ids[4_095], ids[4_096]]).toEqual(
      ['000', '0ff', '100', 'fff', '1000'].map((counter) => prefix + counter),
    )
  })

  it('never repeats an id, within one instance or between two', () => {
    const first = take(new DecisionChargeIds(), 1_000)
    const second = take(new DecisionChargeIds(), 1_000)
    expect(new Set([...first, ...second]).size).toBe(2_000)
  })
})
