/** @jest-environment node */
import { describe, expect, it } from '@jest/globals'
import { CHART_MARGIN, chartGeometry } from './chart-geometry.js'

function days(credits: number[]) {
  return credits.map((c, i) => ({ date: `2025-03-${String(i + 1).padStart(2, '0')}`, credits: c }))
}

describe('chartGeometry', () => {
  // 640 × 240 with margins 52/12 and 28/32: a plot 576 wide from x 52, 180 high from y 28 to 208.
  const geometry = chartGeometry(days([3, 87, 0, 40]), 640, 240)

  it('puts the plot inside the margins', () => {
    expect(geometry).toMatchObject({ left: 52, right: 628, top: 28, baseline: 208, labelY: 226 })
    expect(CHART_MARGIN).toEqual({ top: 28, right: 12, bottom: 32, left: 52 })
  })

  it('scales the credits axis to round ticks covering the busiest day', () => {
    expect(geometry.ticks).toEqual([
      { value: 0, y: 208 },
      { value: 50, y: 118 },
      { value: 100, y: 28 },
    ])
  })

  it('draws one bar per day, 80 % of its band, centred, as tall as its credits', () => {
    const bars = geometry.bars.map((b) => [b.date, b.x, b.width, b.y, b.height])
    expect(bars).toEqual([
      ['2025-03-01', expect.closeTo(66.4), expect.closeTo(115.2), expect.closeTo(202.6), expect.closeTo(5.4)],
      [
        '2025-03-02',
        expect.closeTo(210.4),
        expect.closeTo(115.2),
        expect.closeTo(51.4),
        expect.closeTo(156.6),
      ],
      ['2025-03-03', expect.closeTo(354.4), expect.closeTo(115.2), 208, 0],
      ['2025-03-04', expect.closeTo(498.4), expect.closeTo(115.2), expect.closeTo(136), expect.closeTo(72)],
    ])
    expect(geometry.bars[1]?.credits).toBe(87)
  })

  it('labels every day while the bands are wide enough, at their centres', () => {
    expect(geometry.labels).toEqual([
      { date: '2025-03-01', x: 124 },
      { date: '2025-03-02', x: 268 },
      { date: '2025-03-03', x: 412 },
      { date: '2025-03-04', x: 556 },
    ])
  })

  it('thins the date labels so that each gets at least 64 units', () => {
    // 30 bands of 19.2 units: every 4th day (76.8 units apart) keeps its label.
    const labels = chartGeometry(days(Array.from({ length: 30 }, () => 1)), 640, 240).labels
    expect(labels.map((l) => l.date.slice(-2))).toEqual(['01', '05', '09', '13', '17', '21', '25', '29'])
  })

  it('keeps a bar at least one unit wide when days are very many', () => {
    const many = chartGeometry(
      Array.from({ length: 1000 }, (_, i) => ({ date: String(i), credits: 1 })),
      640,
      240,
    )
    expect(new Set(many.bars.map((b) => b.width))).toEqual(new Set([1]))
  })

  it('draws negative credits as zero, and no days as no bars on a [0, 1] axis', () => {
    const negative = chartGeometry(days([-5, 10]), 640, 240)
    expect(negative.bars[0]).toMatchObject({ y: 208, height: 0 })
    const none = chartGeometry([], 640, 240)
    expect(none.bars).toEqual([])
    expect(none.labels).toEqual([])
    expect(none.ticks.map((t) => t.value)).toEqual([0, 1])
  })
})
