import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { act, fireEvent, render, screen } from '@testing-library/react'
import { QuotaMeter } from './quota-meter.js'
import { fakeFetcher } from './test-support/fake-fetcher.js'
import { AT, dayWindow, monthWindow, statusOf } from './test-support/fixtures.js'

const SRC = '/api/billing/quota'

/** The text of the first element matching `selector` (`undefined` when there is none). */
function textOf(selector: string): string | null | undefined {
  return document.querySelector(selector)?.textContent
}

describe('<QuotaMeter>', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('shows a window as a meter with its values and a readable label', () => {
    render(<QuotaMeter status={statusOf([dayWindow(500, 1)])} timeZone="UTC" locale="en-US" />)

    const meter = screen.getByRole('meter', { name: 'day window' })
    expect(meter.getAttribute('aria-valuemin')).toBe('0')
    expect(meter.getAttribute('aria-valuemax')).toBe('500')
    expect(meter.getAttribute('aria-valuenow')).toBe('499')
    expect(meter.getAttribute('aria-valuetext')).toBe('499 of 500 credits left, renews in 3 h 12 min')
    expect(screen.getByText(/credits left/).textContent).toBe('499 of 500 credits left')
    const heading = screen.getByRole('heading', { level: 3 })
    expect(heading.textContent).toBe('API credits')
    expect(screen.getByRole('region').getAttribute('aria-labelledby')).toBe(heading.id)
  })

  it('shows the absolute renewal time in the given locale and time zone', () => {
    const status = statusOf([dayWindow(500, 1)])
    const { rerender } = render(<QuotaMeter status={status} timeZone="America/New_York" locale="en-US" />)
    expect(textOf('.abq-reset-at')).toMatch(/^\(Mar 10, 10:00\sAM EDT\)$/)

    rerender(<QuotaMeter status={status} timeZone="Asia/Kolkata" locale="de-DE" />)
    expect(textOf('.abq-reset-at')).toBe('(10. März, 19:30 GMT+5:30)')
    expect(document.querySelector('time')?.getAttribute('dateTime')).toBe('2025-03-10T14:00:00.000Z')
  })

  it('counts down live, once per second', () => {
    render(<QuotaMeter status={statusOf([dayWindow(500, 1)])} />)
    expect(textOf('.abq-countdown')).toBe('renews in 3 h 12 min')

    act(() => jest.advanceTimersByTime(60_000))
    expect(textOf('.abq-countdown')).toBe('renews in 3 h 11 min')

    act(() => jest.advanceTimersByTime(3 * 3600_000 + 10 * 60_000 + 30_000))
    expect(textOf('.abq-countdown')).toBe('renews in 30 s')
    act(() => jest.advanceTimersByTime(1000))
    expect(textOf('.abq-countdown')).toBe('renews in 29 s')
    expect(screen.getByRole('meter').getAttribute('aria-valuetext')).toBe(
      '499 of 500 credits left, renews in 29 s',
    )

    act(() => jest.advanceTimersByTime(30_000))
    expect(textOf('.abq-countdown')).toBe('renewing now')
  })

  it("counts from the server's clock, not the viewer's", () => {
    // The viewer's clock is two hours fast; the countdown must still read from the server's `at`.
    jest.setSystemTime(Date.parse(AT) + 2 * 3600_000)
    render(<QuotaMeter status={statusOf([dayWindow(500, 1)])} />)
    act(() => jest.advanceTimersByTime(2000))
    expect(textOf('.abq-countdown')).toBe('renews in 3 h 11 min')
    expect(screen.getByRole('meter').getAttribute('aria-valuetext')).toMatch(/renews in 3 h 11 min$/)
  })

  it('shows several windows and emphasises the tightest', () => {
    render(<QuotaMeter status={statusOf([dayWindow(500, 100), monthWindow(10_000, 9_900)])} />)

    const meters = screen.getAllByRole('meter')
    expect(meters.map((m) => m.getAttribute('aria-label'))).toEqual(['day window', 'month window'])
    const items = screen.getAllByRole('listitem')
    expect(items.map((i) => i.classList.contains('abq-window--tightest'))).toEqual([false, true])
    const badges = items.map((i) => [...i.querySelectorAll('.abq-badge')].map((b) => b.textContent))
    expect(badges).toEqual([[], ['tightest limit']])
  })

  it('emphasises, of windows with equal credits left, the one that renews first', () => {
    // 100 credits left in both: the day window renews at 14:00 today, the month window on 1 April.
    render(<QuotaMeter status={statusOf([dayWindow(500, 400), monthWindow(10_000, 9_900)])} />)

    const emphasised = document.querySelectorAll('[data-tightest]')
    expect([...emphasised].map((e) => e.getAttribute('data-duration'))).toEqual(['day'])
  })

  it('emphasises, of windows with equal credits left renewing together, the shorter one', () => {
    const week = { ...dayWindow(700, 600), duration: 'week' as const, start: '2025-03-03T14:00:00.000Z' }
    render(<QuotaMeter status={statusOf([week, dayWindow(500, 400)])} />)

    const emphasised = document.querySelectorAll('[data-tightest]')
    expect([...emphasised].map((e) => e.getAttribute('data-duration'))).toEqual(['day'])
  })

  it('shows an unlimited window as such, without a meter', () => {
    render(<QuotaMeter status={statusOf([dayWindow(500, 0), monthWindow(Number.POSITIVE_INFINITY, 1234)])} />)

    expect(screen.getAllByRole('meter')).toHaveLength(1)
    const unlimited = screen.getAllByRole('listitem')[1] as HTMLElement
    expect(unlimited.classList.contains('abq-window--unlimited')).toBe(true)
    expect(unlimited.textContent).toContain('Unlimited credits, 1,234 used this period')
    // An unlimited window is never the tightest, and one limited window has nothing to be compared with.
    expect(document.querySelector('.abq-window--tightest')).toBeNull()
  })

  it('shows the exhausted state with when it comes back', () => {
    render(<QuotaMeter status={statusOf([dayWindow(500, 500), monthWindow(10_000, 900)])} />)

    expect(screen.getByRole('status').textContent).toBe(
      'Out of credits. The day window renews in 3 h 12 min.',
    )
    const meter = screen.getByRole('meter', { name: 'day window' })
    expect(meter.getAttribute('aria-valuenow')).toBe('0')
    const item = meter.closest('li')
    expect(item?.classList.contains('abq-window--exhausted')).toBe(true)
    expect(item?.querySelector('.abq-badge--exhausted')?.textContent).toBe('exhausted')
  })

  it('marks a window low below a tenth of its limit', () => {
    render(<QuotaMeter status={statusOf([dayWindow(500, 460)])} />)
    expect(screen.getByRole('listitem').classList.contains('abq-window--low')).toBe(true)
  })

  it('shows loading, then the fetched status', async () => {
    const fake = fakeFetcher()
    render(<QuotaMeter src={SRC} fetcher={fake.fetcher} />)
    expect(textOf('.abq-message--loading')).toBe('Loading credits…')
    expect(screen.getByRole('region', { name: 'API credits' }).getAttribute('aria-busy')).toBe('true')
    expect(screen.queryByRole('meter')).toBeNull()

    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))
    expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('499')
    expect(screen.getByRole('region').getAttribute('aria-busy')).toBe('false')
    expect(document.querySelector('.abq-message--loading')).toBeNull()
  })

  it('shows an error with a retry button that refetches', async () => {
    const fake = fakeFetcher()
    render(<QuotaMeter src={SRC} fetcher={fake.fetcher} />)
    await act(async () => fake.last().reject(new Error('Unknown client')))

    expect(screen.getByRole('alert').textContent).toContain('Could not load credits: Unknown client')
    const retry = screen.getByRole('button', { name: 'Try again' })
    fireEvent.click(retry)
    expect(fake.calls).toHaveLength(2)
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))
    expect(screen.queryByRole('alert')).toBeNull()
    expect(screen.getAllByRole('meter').map((m) => m.getAttribute('aria-valuenow'))).toEqual(['499'])
  })

  it('polls its src every refreshInterval', async () => {
    const fake = fakeFetcher()
    render(<QuotaMeter src={SRC} fetcher={fake.fetcher} refreshInterval={15_000} />)
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))
    await act(async () => jest.advanceTimersByTime(15_000))
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 50)])))
    expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('450')
  })

  it('does not fetch when given a status', () => {
    const fake = fakeFetcher()
    render(<QuotaMeter status={statusOf([dayWindow(500, 1)])} src={SRC} fetcher={fake.fetcher} />)
    expect(fake.calls).toHaveLength(0)
  })
})
