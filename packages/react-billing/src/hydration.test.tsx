import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { act } from '@testing-library/react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { CreditBalance } from './credit-balance.js'
import { QuotaMeter } from './quota-meter.js'
import { AT, balanceOf, dayWindow, overflowing, statusOf } from './test-support/fixtures.js'
import { UsageChart } from './usage-chart.js'

describe('hydration', () => {
  let roots: Root[] = []
  let viewer: { restore(): void } | undefined

  /** Makes the default time zone of `Intl.DateTimeFormat` `zone`, as on a server or viewer there. */
  function defaultZone(zone: string): { restore(): void } {
    const Original = Intl.DateTimeFormat
    const Zoned = function Zoned(locales?: string | string[], options?: Intl.DateTimeFormatOptions) {
      return new Original(locales, { ...options, timeZone: options?.timeZone ?? zone })
    }
    Intl.DateTimeFormat = Zoned as unknown as typeof Intl.DateTimeFormat
    return {
      restore: () => {
        Intl.DateTimeFormat = Original
      },
    }
  }

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    for (const root of roots) act(() => root.unmount())
    roots = []
    document.body.innerHTML = ''
    jest.restoreAllMocks()
    jest.useRealTimers()
    viewer?.restore()
  })

  /** Server-renders `element`, then hydrates it in the page `seconds` later, on a viewer whose clock is off. */
  function serverThenHydrate(element: React.ReactElement, seconds: number): HTMLElement {
    const server = defaultZone('America/Los_Angeles')
    const container = document.createElement('div')
    container.innerHTML = renderToString(element)
    document.body.append(container)
    server.restore()
    viewer = defaultZone('Asia/Kolkata')
    jest.setSystemTime(Date.parse(AT) + 7 * 60_000 + seconds * 1000) // a viewer 7 min fast, arriving later
    act(() => {
      roots.push(hydrateRoot(container, element, { onRecoverableError: (e) => console.error(e) }))
    })
    return container
  }

  it('hydrates the meter without mismatch warnings, then counts down', () => {
    const error = jest.spyOn(console, 'error')
    // A viewer far from UTC: after hydration the absolute time switches to the viewer's zone.
    const container = serverThenHydrate(
      <QuotaMeter status={statusOf([dayWindow(500, 1)])} locale="en-US" />,
      3,
    )

    expect(error).not.toHaveBeenCalled()
    expect(container.textContent).toContain('renews in 3 h 12 min')
    expect(container.textContent).toContain('Mar 10, 7:30 PM GMT+5:30') // the viewer's zone, once hydrated
    act(() => jest.advanceTimersByTime(61_000))
    expect(container.textContent).toContain('renews in 3 h 10 min')
    expect(error).not.toHaveBeenCalled()
  })

  it('hydrates a meter with an overflow window past its limit without mismatch warnings', () => {
    const error = jest.spyOn(console, 'error')
    const container = serverThenHydrate(
      <QuotaMeter status={statusOf([overflowing(dayWindow(500, 620), 'bill', 1000)])} locale="en-US" />,
      3,
    )
    expect(error).not.toHaveBeenCalled()
    expect(container.textContent).toContain('120 credits over the limit of 1,000 allowed, billed as overage.')
  })

  it('hydrates the credit balance without mismatch warnings, then judges pending grants by the clock', () => {
    const error = jest.spyOn(console, 'error')
    // A grant starting at 10:50 UTC: pending for the server render (newest grantedAt is 10:00), effective
    // for the viewer, whose clock reads 10:55.
    const body = balanceOf()
    const balance = {
      ...body,
      grants: body.grants.map((g) =>
        g.id === 'grant_c' ? { ...g, effectiveAt: '2025-03-10T10:50:00.000Z' } : g,
      ),
    }
    const container = serverThenHydrate(
      <CreditBalance balance={balance} locale="en-US" lowBalance={400} />,
      1,
    )

    expect(error).not.toHaveBeenCalled()
    expect(container.textContent).toContain('Low balance:')
    expect(container.querySelectorAll('[data-pending]')).toHaveLength(0)
    expect(container.textContent).toContain('Mar 31, 5:30 AM GMT+5:30') // the viewer's zone, once hydrated
  })

  it('hydrates a loading meter without mismatch warnings', () => {
    const error = jest.spyOn(console, 'error')
    const fetcher = jest.fn(() => new Promise<never>(() => {}))
    const container = serverThenHydrate(<QuotaMeter src="/api/billing/quota" fetcher={fetcher} />, 1)

    expect(error).not.toHaveBeenCalled()
    expect(container.textContent).toContain('Loading credits…')
    expect(fetcher).toHaveBeenCalledTimes(1) // the fetch starts after hydration, not during render
  })

  it('hydrates the usage chart without mismatch warnings', () => {
    const error = jest.spyOn(console, 'error')
    const container = serverThenHydrate(
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
      1,
    )
    expect(error).not.toHaveBeenCalled()
    expect(container.querySelectorAll('rect.abq-chart-bar')).toHaveLength(2)
    expect(container.querySelector('.abq-chart-axis--x text')?.textContent).toBe('Mar 1')
  })
})
