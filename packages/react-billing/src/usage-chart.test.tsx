import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { act, fireEvent, render, screen, within } from '@testing-library/react'
import type { DailyUsageBody } from '@x/api-billing-core'
import { fakeFetcher } from './test-support/fake-fetcher.js'
import { AT } from './test-support/fixtures.js'
import { UsageChart } from './usage-chart.js'

function usage(credits: number[]): DailyUsageBody {
  const days = credits.map((c, i) => ({
    date: `2025-03-${String(i + 1).padStart(2, '0')}`,
    credits: c,
    fromBalance: 0,
    overage: 0,
  }))
  return {
    clientId: 'acme',
    timeZone: 'Europe/Paris',
    from: '2025-02-28T23:00:00.000Z',
    to: `2025-03-${String(credits.length + 1).padStart(2, '0')}T00:00:00.000Z`,
    days,
    total: credits.reduce((a, b) => a + b, 0),
  }
}

describe('<UsageChart>', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('draws one bar per day, scaled to round axis ticks', () => {
    const { container } = render(<UsageChart data={usage([3, 87, 0, 40])} locale="en-US" />)

    const bars = container.querySelectorAll('rect.abq-chart-bar')
    expect(bars).toHaveLength(4)
    const heights = [...bars].map((b) => Number(b.getAttribute('height')))
    // Ticks 0, 50, 100: the 87-credit day is 0.87 of the plot height (240 - 28 - 32 = 180).
    expect(heights[1]).toBeCloseTo(180 * 0.87)
    expect(heights[2]).toBe(0)
    expect(heights[0] as number).toBeLessThan(heights[3] as number)
    const yLabels = [...container.querySelectorAll('.abq-chart-axis--y text')].map((t) => t.textContent)
    expect(yLabels).toEqual(['0', '50', '100', 'credits'])
    expect(bars[1]?.querySelector('title')?.textContent).toBe('Mar 2, 2025: 87 credits')
  })

  it('labels the date axis, thinning labels when days are many', () => {
    const { container, rerender } = render(<UsageChart data={usage([1, 2, 3])} locale="en-US" />)
    const labels = () => [...container.querySelectorAll('.abq-chart-axis--x text')].map((t) => t.textContent)
    expect(labels()).toEqual(['Mar 1', 'Mar 2', 'Mar 3'])

    rerender(<UsageChart data={usage(Array.from({ length: 30 }, (_, i) => i))} locale="en-US" />)
    expect(labels().length).toBeLessThan(30)
    expect(labels()[0]).toBe('Mar 1')
  })

  it('is an image named by its title and summarised for screen readers', () => {
    render(<UsageChart data={usage([3, 87, 0, 40])} title="Usage in March" locale="en-US" />)

    const chart = screen.getByRole('img')
    const [titleId, descId] = (chart.getAttribute('aria-labelledby') ?? '').split(' ')
    expect(document.getElementById(titleId as string)?.textContent).toBe('Usage in March')
    expect(document.getElementById(descId as string)?.textContent).toBe(
      'Mar 1, 2025 to Mar 4, 2025: 130 credits in total, most on Mar 2, 2025 (87).',
    )
    const heading = screen.getByRole('heading', { level: 3 })
    expect(heading.textContent).toBe('Usage in March')
    expect(screen.getByRole('region').getAttribute('aria-labelledby')).toBe(heading.id)
  })

  it('offers the same numbers as a table', () => {
    render(<UsageChart data={usage([3, 87])} locale="en-US" />)

    const table = screen.getByRole('table', { name: 'Daily usage' })
    const rows = within(table)
      .getAllByRole('row')
      .map((r) => [...r.children].map((c) => c.textContent))
    expect(rows).toEqual([
      ['Date', 'Credits'],
      ['Mar 1, 2025', '3'],
      ['Mar 2, 2025', '87'],
      ['Total', '90'],
    ])
    expect(table.closest('details')?.querySelector('summary')?.textContent).toBe('Show as table')
  })

  it('says so when there is no usage', () => {
    render(<UsageChart data={usage([0, 0, 0])} />)
    expect(document.querySelector('.abq-message--empty')?.textContent).toBe('No usage in this period.')
    expect(screen.queryByRole('img')).toBeNull()
  })

  it('fetches its src, showing loading then the chart, or the error', async () => {
    const fake = fakeFetcher()
    const { unmount } = render(<UsageChart src="/api/billing/usage/daily" fetcher={fake.fetcher} />)
    expect(document.querySelector('.abq-message--loading')?.textContent).toBe('Loading usage…')
    expect(screen.getByRole('region').getAttribute('aria-busy')).toBe('true')
    await act(async () => fake.last().resolve(usage([1, 2])))
    expect(screen.getAllByRole('img')).toHaveLength(1)
    expect(document.querySelectorAll('rect.abq-chart-bar')).toHaveLength(2)
    expect(screen.getByRole('region').getAttribute('aria-busy')).toBe('false')
    unmount()

    const failing = fakeFetcher()
    render(<UsageChart src="/api/billing/usage/daily" fetcher={failing.fetcher} />)
    await act(async () => failing.last().reject(new Error('HTTP 503')))
    expect(screen.getByRole('alert').textContent).toContain('Could not load usage: HTTP 503')
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(failing.calls).toHaveLength(2)
    await act(async () => failing.last().resolve(usage([4])))
    expect(screen.queryByRole('alert')).toBeNull()
    expect(document.querySelectorAll('rect.abq-chart-bar')).toHaveLength(1)
  })
})
