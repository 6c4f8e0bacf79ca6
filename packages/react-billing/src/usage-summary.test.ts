/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import { usageSummary } from './usage-summary.js'
import type { Formatters } from './use-formatters.js'

/** Formatters that print values as they are, so the sentence's structure shows. */
const plain: Formatters = {
  number: (value) => `#${value}`,
  dateTime: (iso) => iso,
  day: (date) => date,
  longDay: (date) => date,
}

describe('usageSummary', () => {
  it('gives the period, the total and the busiest day', () => {
    const days = [
      { date: '2025-03-01', credits: 3 },
      { date: '2025-03-02', credits: 87 },
      { date: '2025-03-03', credits: 40 },
    ]
    expect(usageSummary(days, plain)).toBe(
      '2025-03-01 to 2025-03-03: #130 credits in total, most on 2025-03-02 (#87).',
    )
  })

  it('names the first of several equally busy days', () => {
    const days = [
      { date: '2025-03-01', credits: 5 },
      { date: '2025-03-02', credits: 9 },
      { date: '2025-03-03', credits: 9 },
    ]
    expect(usageSummary(days, plain)).toContain('most on 2025-03-02 (#9).')
  })
})
