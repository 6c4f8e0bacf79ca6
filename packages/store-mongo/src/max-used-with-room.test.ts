import { describe, expect, it } from '@jest/globals'
import { hasRoom, UNLIMITED } from '@x/api-billing-core'
import { maxUsedWithRoom } from './max-used-with-room.js'

/** Every whole `used` in `[from, to]` answers the filter bound exactly as core's hasRoom does. */
function expectMirrors(cost: number, limit: number, from: number, to: number): void {
  const bound = maxUsedWithRoom(cost, limit)
  for (let used = Math.max(0, from); used <= to; used++) {
    expect([used, cost, limit, used <= bound]).toEqual([used, cost, limit, hasRoom(used, cost, limit)])
  }
}

describe('maxUsedWithRoom', () => {
  it('lets a window fill exactly to its limit and not one credit more', () => {
    expect(maxUsedWithRoom(3, 10)).toBe(7)
    expect(maxUsedWithRoom(0, 10)).toBe(10)
    expectMirrors(3, 10, 0, 20)
  })

  it('has no room at all when the cost is above the limit', () => {
    expect(maxUsedWithRoom(11, 10)).toBe(-1)
    expect(maxUsedWithRoom(1, 0)).toBe(-1)
    expect(maxUsedWithRoom(2 ** 53, 1)).toBe(-1)
  })

  it('rounds a fractional limit down to whole credits, as hasRoom decides', () => {
    expect(maxUsedWithRoom(1, 10.5)).toBe(9)
    expectMirrors(1, 10.5, 0, 15)
    expectMirrors(2, 0.5, 0, 3)
  })

  it('stays exact near 2^53, where used + cost would round', () => {
    const max = Number.MAX_SAFE_INTEGER
    expect(maxUsedWithRoom(1, max)).toBe(max - 1)
    expect(maxUsedWithRoom(1, 2 ** 53)).toBe(max)
    expect(maxUsedWithRoom(2, 2 ** 53)).toBe(max - 1)
    expectMirrors(2, 2 ** 53, max - 5, max)
    expectMirrors(1, max, max - 5, max)
  })

  it('is unbounded for an unlimited window and capped at 2^53 for a huge finite one', () => {
    expect(maxUsedWithRoom(5, UNLIMITED)).toBe(Number.POSITIVE_INFINITY)
    expect(maxUsedWithRoom(5, 1e300)).toBe(2 ** 53)
  })
})
