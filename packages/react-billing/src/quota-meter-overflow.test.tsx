import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { render, screen } from '@testing-library/react'
import { QuotaMeter } from './quota-meter.js'
import type { QuotaStatusView } from './quota-status-view.js'
import { AT, dayWindow, monthWindow, overflowing, statusOf } from './test-support/fixtures.js'

/** Every `role="meter"` keeps its value within its own bounds. */
function expectMetersInBounds(): void {
  for (const meter of screen.getAllByRole('meter')) {
    const [min, max, now] = ['min', 'max', 'now'].map((k) => Number(meter.getAttribute(`aria-value${k}`)))
    expect({
      min,
      max,
      now,
      inBounds: (now as number) >= (min as number) && (now as number) <= (max as number),
    }).toMatchObject({ inBounds: true })
  }
}

describe('<QuotaMeter> with overflow windows', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it("shows a 'bill' window past 100 %: meter at 0 left, the overage in words and a meter of its own", () => {
    render(<QuotaMeter status={statusOf([overflowing(dayWindow(500, 620), 'bill', 1000)])} locale="en-US" />)

    const meter = screen.getByRole('meter', { name: 'day window' })
    expect([meter.getAttribute('aria-valuemax'), meter.getAttribute('aria-valuenow')]).toEqual(['500', '0'])
    expect(meter.getAttribute('aria-valuetext')).toBe(
      '0 of 500 credits left, 120 credits over the limit, billed as overage, renews in 3 h 12 min',
    )
    const overage = screen.getByRole('meter', { name: 'day window overage' })
    expect([overage.getAttribute('aria-valuemax'), overage.getAttribute('aria-valuenow')]).toEqual([
      '1000',
      '120',
    ])
    const item = screen.getByRole('listitem')
    expect(item.className).toBe('abq-window abq-window--over abq-window--overage')
    expect(item.getAttribute('data-overflow')).toBe('bill')
    expect(item.querySelector('.abq-badge--over')?.textContent).toBe('overage')
    expect(item.querySelector('.abq-window-overflow')?.textContent).toBe(
      '120 credits over the limit of 1,000 allowed, billed as overage.',
    )
    // Overage is not exhaustion: requests are still served.
    expect(item.hasAttribute('data-exhausted')).toBe(false)
    expect(screen.queryByRole('status')).toBeNull()
    expectMetersInBounds()
  })

  it("shows unlimited overage in words only, and a 'bill' window at its overage limit as exhausted", () => {
    const { rerender } = render(<QuotaMeter status={statusOf([overflowing(dayWindow(500, 2500), 'bill')])} />)
    expect(screen.getAllByRole('meter')).toHaveLength(1)
    expect(document.querySelector('.abq-window-overflow')?.textContent).toBe(
      '2,000 credits over the limit, billed as overage.',
    )

    rerender(<QuotaMeter status={statusOf([overflowing(dayWindow(500, 1500), 'bill', 1000)])} />)
    expect(screen.getByRole('status').textContent).toBe(
      'Out of credits. The day window renews in 3 h 12 min.',
    )
    expect(screen.getByRole('meter', { name: 'day window overage' }).getAttribute('aria-valuenow')).toBe(
      '1000',
    )
    expectMetersInBounds()
  })

  it("shows a 'balance' window past 100 % as paid from the prepaid balance, with what is left", () => {
    const status = statusOf([overflowing(dayWindow(500, 540), 'balance'), monthWindow(10_000, 900)], AT, 260)
    render(<QuotaMeter status={status} locale="en-US" />)

    const meter = screen.getByRole('meter', { name: 'day window' })
    expect(meter.getAttribute('aria-valuenow')).toBe('0')
    expect(meter.getAttribute('aria-valuetext')).toBe(
      '0 of 500 credits left, 40 credits over the limit, paid from prepaid balance, renews in 3 h 12 min',
    )
    const item = meter.closest('li') as HTMLElement
    expect(item.classList.contains('abq-window--from-balance')).toBe(true)
    expect(item.classList.contains('abq-window--overage')).toBe(false)
    expect(item.querySelector('.abq-badge--over')?.textContent).toBe('paid from balance')
    expect(item.querySelector('.abq-window-overflow')?.textContent).toBe(
      '40 credits over the limit, paid from prepaid balance, 260 left in the balance.',
    )
    expect(screen.getAllByRole('meter')).toHaveLength(2) // no overage meter: the balance bounds it
    expect(screen.queryByRole('status')).toBeNull()
    expectMetersInBounds()
  })

  it("shows a 'balance' window with an empty balance as out of credits", () => {
    render(<QuotaMeter status={statusOf([overflowing(dayWindow(500, 500), 'balance')], AT, 0)} />)
    expect(screen.getByRole('status').textContent).toBe(
      'Out of credits and prepaid balance. The day window renews in 3 h 12 min.',
    )
    expect(screen.getByRole('listitem').hasAttribute('data-exhausted')).toBe(true)
  })

  it('says what happens past the limit while an overflow window is within it', () => {
    render(<QuotaMeter status={statusOf([overflowing(dayWindow(500, 100), 'bill', 250)])} />)
    const item = screen.getByRole('listitem')
    expect(item.querySelector('.abq-window-overflow')?.textContent).toBe(
      'Past the limit: billed as overage (up to 250).',
    )
    expect(item.classList.contains('abq-window--over')).toBe(false)
    expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('400')
  })

  it("reads an older server's body, without the credit fields, as 'reject' windows and no balance", () => {
    const status = statusOf([dayWindow(500, 500)])
    const { balance: _b, ...rest } = status
    const old: QuotaStatusView = {
      ...rest,
      windows: status.windows.map(({ overflow: _o, overageLimit: _l, ...w }) => w),
    }
    render(<QuotaMeter status={old} />)
    expect(screen.getByRole('status').textContent).toBe(
      'Out of credits. The day window renews in 3 h 12 min.',
    )
    expect(document.querySelector('[data-overflow]')).toBeNull()
    expect(document.querySelector('.abq-window-overflow')).toBeNull()
  })
})
