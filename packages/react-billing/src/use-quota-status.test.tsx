import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { act, renderHook } from '@testing-library/react'
import { rateLimitHeaders } from '@x/api-billing-core'
import { QuotaStatusSource } from './quota-status-source.js'
import { fakeFetcher } from './test-support/fake-fetcher.js'
import { AT, dayWindow, decisionOf, statusOf } from './test-support/fixtures.js'
import { useQuotaStatus } from './use-quota-status.js'

const SRC = '/api/billing/quota'

describe('useQuotaStatus', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('goes from loading to data', async () => {
    const fake = fakeFetcher()
    const { result } = renderHook(() => useQuotaStatus(SRC, { fetcher: fake.fetcher }))
    expect(result.current).toMatchObject({ isLoading: true, data: undefined, error: undefined })

    const status = statusOf([dayWindow(500, 1)])
    await act(async () => fake.last().resolve(status))
    expect(result.current).toMatchObject({ isLoading: false, data: status, error: undefined })
  })

  it('aborts its fetch on unmount', () => {
    const fake = fakeFetcher()
    const { unmount } = renderHook(() => useQuotaStatus(SRC, { fetcher: fake.fetcher }))
    unmount()
    expect(fake.last().signal.aborted).toBe(true)
  })

  it('polls with refreshInterval and takes a new interval without a new source', async () => {
    const fake = fakeFetcher()
    const { result, rerender } = renderHook(
      ({ interval }) => useQuotaStatus(SRC, { fetcher: fake.fetcher, refreshInterval: interval }),
      { initialProps: { interval: 10_000 } },
    )
    const source = result.current.source
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))
    await act(async () => jest.advanceTimersByTime(10_000))
    expect(fake.calls).toHaveLength(2)

    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 2)])))
    expect(result.current.data?.windows[0]?.used).toBe(2)
    rerender({ interval: 60_000 })
    expect(result.current.source).toBe(source)
    await act(async () => jest.advanceTimersByTime(59_999))
    expect(fake.calls).toHaveLength(2)
    await act(async () => jest.advanceTimersByTime(1))
    expect(fake.calls).toHaveLength(3)
  })

  it('starts a new source for a new URL and stops the old one', () => {
    const fake = fakeFetcher()
    const { result, rerender } = renderHook(({ url }) => useQuotaStatus(url, { fetcher: fake.fetcher }), {
      initialProps: { url: '/api/a/quota' },
    })
    const first = result.current.source

    rerender({ url: '/api/b/quota' })

    expect(result.current.source).not.toBe(first)
    expect(result.current.source.src).toBe('/api/b/quota')
    expect(first.active).toBe(false)
    expect(fake.calls.map((c) => [c.url, c.signal.aborted])).toEqual([
      ['/api/a/quota', true],
      ['/api/b/quota', false],
    ])
  })

  it('refetches on window focus by default', async () => {
    const fake = fakeFetcher()
    renderHook(() => useQuotaStatus(SRC, { fetcher: fake.fetcher }))
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))
    act(() => {
      window.dispatchEvent(new Event('focus'))
    })
    expect(fake.calls).toHaveLength(2)
  })

  it('does not refetch on focus when refetchOnFocus is false', async () => {
    const fake = fakeFetcher()
    renderHook(() => useQuotaStatus(SRC, { fetcher: fake.fetcher, refetchOnFocus: false }))
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))
    act(() => {
      window.dispatchEvent(new Event('focus'))
    })
    expect(fake.calls).toHaveLength(1)
  })

  it('refetches on demand', async () => {
    const fake = fakeFetcher()
    const { result } = renderHook(() => useQuotaStatus(SRC, { fetcher: fake.fetcher }))
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))
    let done: Promise<void> = Promise.resolve()
    act(() => {
      done = result.current.refetch()
    })
    expect(result.current.isFetching).toBe(true)
    await act(async () => {
      fake.last().resolve(statusOf([dayWindow(500, 7)]))
      await done
    })
    expect(result.current.data?.windows[0]?.remaining).toBe(493)
  })

  it('moves with the headers of another response without a request', async () => {
    const fake = fakeFetcher()
    const { result } = renderHook(() => useQuotaStatus(SRC, { fetcher: fake.fetcher }))
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 1)])))

    act(() => {
      result.current.updateFromHeaders(rateLimitHeaders(decisionOf([dayWindow(500, 2)])))
    })
    expect(result.current.data?.windows[0]).toMatchObject({ used: 2, remaining: 498 })
    expect(fake.calls).toHaveLength(1)
  })

  it('shares a source given instead of a URL, and leaves it running for other users', async () => {
    const fake = fakeFetcher()
    const shared = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    const stopOther = shared.subscribe(() => {})
    const { result, unmount } = renderHook(() => useQuotaStatus(shared))
    expect(result.current.source).toBe(shared)
    await act(async () => fake.last().resolve(statusOf([dayWindow(500, 3)])))
    expect(result.current.data?.windows[0]?.used).toBe(3)
    unmount()
    expect(shared.active).toBe(true)
    stopOther()
  })

  it('stays idle without a URL', () => {
    const { result } = renderHook(() => useQuotaStatus(undefined))
    expect(result.current).toMatchObject({ data: undefined, isLoading: false, isFetching: false })
  })
})
