/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import { formatCountdown } from './format-countdown.js'

const s = 1000
const min = 60 * s
const h = 60 * min
const d = 24 * h

describe('formatCountdown', () => {
  it.each([
    [3 * h + 12 * min, '3 h 12 min'],
    [3 * h + 12 * min + 30 * s, '3 h 12 min'],
    [3 * h, '3 h'],
    [2 * d + 4 * h + 59 * min, '2 d 4 h'],
    [5 * min + 30 * s, '5 min 30 s'],
    [45 * s, '45 s'],
    [44 * s + 1, '45 s'],
    [0, '0 s'],
    [-5 * s, '0 s'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text)
  })
})
