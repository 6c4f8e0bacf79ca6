/** @jest-environment node */
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { renderToString } from 'react-dom/server'
import { CreditBalance } from './credit-balance.js'
import { QuotaMeter } from './quota-meter.js'
import { balanceOf, dayWindow, monthWindow, overflowing, statusOf } from './test-support/fixtures.js'
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

  it('renders overflow windows past their limit with their meters in bounds', () => {
    const error = jest.spyOn(console, 'error')
    const status = statusOf([
      overflowing(dayWindow(500, 620), 'bill', 1000),
      overflowing(monthWindow(10_000, 10_040), 'balance'),
    ])

    const html = renderToString(<QuotaMeter status={status} />)

    expect(html).toContain('aria-valuemax="500" aria-valuenow="0"')
    expect(html).toContain('aria-valuemax="1000" aria-valuenow="120"')
    expect(html).toContain('abq-window--overage')
    expect(html).toContain('abq-window--from-balance')
    expect(error).not.toHaveBeenCalled()
  })

  it('renders the credit balance, judging pending grants without a clock', () => {
    const error = jest.spyOn(console, 'error')
    const now = jest.spyOn(Date, 'now')

    const html = renderToString(<CreditBalance balance={balanceOf()} lowBalance={400} />)

    expect(html).toContain('Low balance:')
    expect(html).toContain('Mar 31, 12:00 AM UTC</time>')
    expect(html).toContain('data-pending="true"')
    expect(now).not.toHaveBeenCalled()
    expect(error).not.toHaveBeenCalled()
  })

  it('renders the credit balance loading for a src, without fetching', () => {
    const fetcher = jest.fn(() => Promise.resolve({}))
    const html = renderToString(<CreditBalance src="/api/billing/balance" fetcher={fetcher} />)
    expect(html).toContain('Loading balance…')
    expect(fetcher).not.toHaveBeenCalled()
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
            { date: '2025-03-01', credits: 3, fromBalance: 0, overage: 0 },
            { date: '2025-03-02', credits: 5, fromBalance: 0, overage: 0 },
          ],
          total: 8,
        }}
      />,
    )
    expect(html).toContain('<svg')
    expect(error).not.toHaveBeenCalled()
  })
})
