/** @jest-environment node */
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { renderToString } from 'react-dom/server'
import { QuotaMeter } from './quota-meter.js'
import { dayWindow, monthWindow, statusOf } from './test-support/fixtures.js'
import { UsageChart } from './usage-chart.js'

// A Node environment without `window` or `document`: any browser global touched while rendering throws.
describe('server rendering', () => {
  afterEach(() => {
    jest.restoreAllMocks()
  })

  it('renders the meter from a status without browser globals or warnings', () => {
    const error = jest.spyOn(console, 'error')
    expect(typeof window).toBe('undefined')

    const html = renderToString(
      <QuotaMeter status={statusOf([dayWindow(500, 1), monthWindow(10_000, 20)])} />,
    )

    expect(html).toContain('role="meter"')
    expect(html).toContain('aria-valuetext="499 of 500 credits left, renews in 3 h 12 min"')
    // Until hydration the absolute time is printed in UTC, whatever the server's or viewer's zone.
    expect(html).toContain('Mar 10, 2:00 PM UTC')
    expect(error).not.toHaveBeenCalled()
  })

  it('renders the loading state for a src, without fetching', () => {
    const error = jest.spyOn(console, 'error')
    const fetcher = jest.fn(() => Promise.resolve({}))

    const html = renderToString(<QuotaMeter src="/api/billing/quota" fetcher={fetcher} />)

    expect(html).toContain('Loading credits…')
    expect(fetcher).not.toHaveBeenCalled()
    expect(error).not.toHaveBeenCalled()
  })

  it('renders the usage chart', () => {
    const error = jest.spyOn(console, 'error')
    const html = renderToString(
      <UsageChart
        data={{
          clientId: 'acme',
          timeZone: 'UTC',
          from: '2025-03-01T00:00:00.000Z',
          to: '2025-03-03T00:00:00.000Z',
          days: [
            { date: '2025-03-01', credits: 3 },
            { date: '2025-03-02', credits: 5 },
          ],
          total: 8,
        }}
      />,
    )
    expect(html).toContain('<svg')
    expect(error).not.toHaveBeenCalled()
  })
})
