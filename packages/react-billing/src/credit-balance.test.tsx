import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { act, fireEvent, render, screen, within } from '@testing-library/react'
import { CreditBalance } from './credit-balance.js'
import { fakeFetcher } from './test-support/fake-fetcher.js'
import { AT, balanceOf } from './test-support/fixtures.js'

const SRC = '/api/billing/balance'

/** The grants' list items, in document order. */
function grants(): HTMLElement[] {
  return within(screen.getByRole('list', { name: 'Grants, in spending order' })).getAllByRole('listitem')
}

describe('<CreditBalance>', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('shows the credits available and the grants in spending order with their expiry', () => {
    render(<CreditBalance balance={balanceOf()} locale="en-US" timeZone="UTC" />)

    expect(screen.getByRole('heading', { level: 3 }).textContent).toBe('Prepaid credits')
    expect(document.querySelector('.abq-balance-available')?.textContent).toBe(
      '350 credits available, 200 pending',
    )
    const items = grants()
    expect(items.map((i) => i.getAttribute('data-grant-id'))).toEqual(['grant_a', 'grant_b', 'grant_c'])
    expect(items[0]?.textContent).toContain('300 of 500 credits left')
    expect(items[0]?.textContent).toContain('expires Mar 31, 12:00 AM UTC')
    expect(items[0]?.querySelector('time')?.getAttribute('dateTime')).toBe('2025-03-31T00:00:00.000Z')
    expect(items[0]?.textContent).toContain('March top-up')
    expect(items[1]?.textContent).toContain('never expires')
  })

  it('marks a grant that has not started as pending, in words, until it starts', () => {
    render(<CreditBalance balance={balanceOf()} locale="en-US" timeZone="UTC" />)

    const pending = grants()[2] as HTMLElement
    expect(pending.classList.contains('abq-grant--pending')).toBe(true)
    expect(pending.querySelector('.abq-badge--pending')?.textContent).toBe('pending')
    expect(pending.textContent).toContain('usable from Mar 10, 12:00 PM UTC, never expires')
    expect(grants().filter((g) => g.hasAttribute('data-pending'))).toHaveLength(1)

    act(() => jest.advanceTimersByTime(72 * 60_000)) // 12:00 UTC
    expect(grants().filter((g) => g.hasAttribute('data-pending'))).toHaveLength(0)
    expect(document.querySelector('.abq-balance-available')?.textContent).toBe('350 credits available')
  })

  it('shows the low-balance state in words and with an icon, at or below the line', () => {
    const { rerender } = render(<CreditBalance balance={balanceOf()} lowBalance={350} />)

    const notice = screen.getByRole('status')
    expect(notice.textContent).toBe('Low balance: 350 credits left, at or below 350.')
    expect(notice.querySelector('svg')?.getAttribute('aria-hidden')).toBe('true')
    expect(document.querySelector('.abq-balance-body')?.classList.contains('abq-balance-body--low')).toBe(
      true,
    )

    rerender(<CreditBalance balance={balanceOf()} lowBalance={349} />)
    expect(screen.queryByRole('status')).toBeNull()
    expect(document.querySelector('[data-low]')).toBeNull()
  })

  it('takes the low-balance line from the body, and lets the prop override it', () => {
    const { rerender } = render(<CreditBalance balance={balanceOf(1000)} />)
    expect(screen.getByRole('status').textContent).toContain('Low balance')

    rerender(<CreditBalance balance={balanceOf(1000)} lowBalance={100} />)
    expect(screen.queryByRole('status')).toBeNull()
  })

  it('says when nothing is left or nothing was granted', () => {
    render(<CreditBalance balance={{ available: 0, grants: [], lowBalance: 10 }} />)
    expect(screen.getByRole('status').textContent).toBe('Low balance: no prepaid credits left.')
    expect(document.querySelector('.abq-message--empty')?.textContent).toBe('No prepaid credits.')
  })

  it('shows loading, then the fetched balance', async () => {
    const fake = fakeFetcher()
    render(<CreditBalance src={SRC} fetcher={fake.fetcher} headingLevel={2} title="Credits" />)
    expect(document.querySelector('.abq-message--loading')?.textContent).toBe('Loading balance…')
    expect(screen.getByRole('region', { name: 'Credits' }).getAttribute('aria-busy')).toBe('true')
    expect(fake.last().url).toBe(SRC)

    await act(async () => fake.last().resolve(balanceOf()))
    expect(grants()).toHaveLength(3)
    expect(screen.getByRole('region').getAttribute('aria-busy')).toBe('false')
  })

  it('shows an error with a retry button, and rejects a body of another shape', async () => {
    const fake = fakeFetcher()
    render(<CreditBalance src={SRC} fetcher={fake.fetcher} />)
    await act(async () => fake.last().resolve({ available: '350', grants: [] }))

    expect(screen.getByRole('alert').textContent).toContain(
      'Could not load balance: Balance: "available" must be a number',
    )
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    await act(async () => fake.last().resolve(balanceOf()))
    expect(screen.queryByRole('alert')).toBeNull()
    expect(grants()).toHaveLength(3)
  })

  it('keeps the last balance with a note when a refetch fails', async () => {
    const fake = fakeFetcher()
    render(<CreditBalance src={SRC} fetcher={fake.fetcher} refreshInterval={30_000} />)
    await act(async () => fake.last().resolve(balanceOf()))
    await act(async () => jest.advanceTimersByTime(30_000))
    await act(async () => fake.last().reject(new Error('Service unavailable')))

    expect(screen.getByRole('alert').textContent).toBe('Showing the last known balance: Service unavailable')
    expect(grants()).toHaveLength(3)
  })

  it('polls its URL every refreshInterval through the injected fetcher', async () => {
    const fake = fakeFetcher()
    render(<CreditBalance src={SRC} fetcher={fake.fetcher} refreshInterval={15_000} />)
    await act(async () => fake.last().resolve(balanceOf()))
    expect(fake.calls).toHaveLength(1)

    await act(async () => jest.advanceTimersByTime(15_000))
    expect(fake.calls).toHaveLength(2)
    await act(async () => fake.last().resolve({ ...balanceOf(), available: 120 }))
    expect(document.querySelector('.abq-balance-available strong')?.textContent).toBe('120')
  })

  it('refetches by itself when a pending grant starts', async () => {
    const fake = fakeFetcher()
    render(<CreditBalance src={SRC} fetcher={fake.fetcher} />)
    await act(async () => fake.last().resolve(balanceOf()))

    await act(async () => jest.advanceTimersByTime(72 * 60_000 - 1))
    expect(fake.calls).toHaveLength(1)
    await act(async () => jest.advanceTimersByTime(251))
    expect(fake.calls).toHaveLength(2)
  })

  it('does not fetch when given a balance', () => {
    const fake = fakeFetcher()
    render(<CreditBalance balance={balanceOf()} src={SRC} fetcher={fake.fetcher} className="mine" />)
    expect(fake.calls).toHaveLength(0)
    expect(screen.getByRole('region').className).toBe('abq-balance mine')
  })
})
