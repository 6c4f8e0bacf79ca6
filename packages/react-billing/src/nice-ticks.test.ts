/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import { niceTicks } from './nice-ticks.js'

describe('niceTicks', () => {
  it.each([
    [87, [0, 50, 100]],
    [7, [0, 2, 4, 6, 8]],
    [100, [0, 50, 100]],
    [1, [0, 1]],
    [3, [0, 1, 2, 3]],
    [0, [0, 1]],
    [-3, [0, 1]],
    [1234, [0, 500, 1000, 1500]],
  ])('covers %d with round whole-credit ticks %j', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks)
  })
})
