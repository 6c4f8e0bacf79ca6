import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { act, renderHook } from '@testing-library/react'
import type { DailyUsageBody } from '@x/api-billing-core'
import { fakeFetcher } from './test-support/fake-fetcher.js'
import { AT } from './test-support/fixtures.js'
import { useDailyUsage } from './use-daily-usage.js'

const USAGE: DailyUsageBody = {
  clientId: 'acme',
  timeZone: 'UTC',
  from: '2025-03-01T00:00:00.000Z',
  to: '2025-03-02T00:00:00.000Z',
  days: [{ date: '2025-03-01', credits: 4, fromBalance: 0, overage: 0 }],
  total: 4,
}

describe('useDailyUsage', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('keeps one source while only the options change, and applies them', async () => {
    const fake = fakeFetcher()
    const { result, rerender } = renderHook(
      ({ interval }) => useDailyUsage('/api/usage', { fetcher: fake.fetcher, refreshInterval: interval }),
      { initialProps: { interval: 0 } },
    )
    await act(async () => fake.last().resolve(USAGE))
    expect(result.current.data).toBe(USAGE)

    rerender({ interval: 5000 })
    await act(async () => jest.advanceTimersByTime(5000))

    // The same source polled: no refetch on the re-render, one poll after the new interval.
    expect(fake.calls.map((c) => c.url)).toEqual(['/api/usage', '/api/usage'])
    expect(result.current.data).toBe(USAGE)
  })

  it('starts a new source for a new URL, aborting the old fetch', () => {
    const fake = fakeFetcher()
    const { rerender } = renderHook(({ url }) => useDailyUsage(url, { fetcher: fake.fetcher }), {
      initialProps: { url: '/api/a/usage' },
    })

    rerender({ url: '/api/b/usage' })

    expect(fake.calls.map((c) => [c.url, c.signal.aborted])).toEqual([
      ['/api/a/usage', true],
      ['/api/b/usage', false],
    ])
  })

  it('stays idle without a URL', () => {
    const fake = fakeFetcher()
    const { result } = renderHook(() => useDailyUsage(null, { fetcher: fake.fetcher }))
    expect(result.current).toMatchObject({ data: undefined, error: undefined, isLoading: false })
    expect(fake.calls).toHaveLength(0)
  })
})
