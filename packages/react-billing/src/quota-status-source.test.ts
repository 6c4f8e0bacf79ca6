import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { rateLimitHeaders } from '@x/api-billing-core'
import { HttpError } from './http-error.js'
import { QuotaStatusSource } from './quota-status-source.js'
import { fakeFetcher } from './test-support/fake-fetcher.js'
import { AT, dayWindow, decisionOf, monthWindow, statusOf } from './test-support/fixtures.js'

const SRC = '/api/billing/quota'

/** Lets pending promise callbacks run (fake timers do not touch microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('QuotaStatusSource', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('does nothing until subscribed, then fetches once and notifies', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    expect(fake.calls).toHaveLength(0)
    expect(source.getSnapshot()).toMatchObject({ isLoading: true, data: undefined })

    const listener = jest.fn()
    source.subscribe(listener)
    expect(fake.calls.map((c) => c.url)).toEqual([SRC])

    const status = statusOf([dayWindow(500, 1)])
    fake.last().resolve(status)
    await settle()
    expect(source.getSnapshot()).toEqual({
      data: status,
      error: undefined,
      isLoading: false,
      isFetching: false,
    })
    expect(listener).toHaveBeenCalled()
  })

  it('keeps the server snapshot at the initial state whatever happens later', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    const server = source.getServerSnapshot()
    source.subscribe(() => {})
    fake.last().resolve(statusOf([dayWindow(500, 1)]))
    await settle()
    expect(source.getServerSnapshot()).toBe(server)
    expect(server.data).toBeUndefined()
  })

  it('polls every refreshInterval after the previous fetch ends', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher, refreshInterval: 30_000 })
    source.subscribe(() => {})
    jest.advanceTimersByTime(60_000)
    expect(fake.calls).toHaveLength(1) // no overlapping polls while a fetch is pending

    fake.last().resolve(statusOf([dayWindow(500, 1)]))
    await settle()
    jest.advanceTimersByTime(29_999)
    expect(fake.calls).toHaveLength(1)
    jest.advanceTimersByTime(1)
    expect(fake.calls).toHaveLength(2)
  })

  it('keeps the last data and reports the error when a refetch fails', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    source.subscribe(() => {})
    const status = statusOf([dayWindow(500, 1)])
    fake.last().resolve(status)
    await settle()

    const refetched = source.refetch()
    expect(source.getSnapshot().isFetching).toBe(true)
    fake.last().reject(new HttpError(503, undefined, 'store unavailable'))
    await refetched

    expect(source.getSnapshot()).toMatchObject({ data: status, isLoading: false, isFetching: false })
    expect(source.getSnapshot().error?.message).toBe('store unavailable')
  })

  it('reports a response that is not a quota status as an error', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    source.subscribe(() => {})
    fake.last().resolve({ hello: 'world' })
    await settle()
    expect(source.getSnapshot().error).toBeInstanceOf(TypeError)
  })

  it('aborts the fetch in flight when the last subscriber leaves, and ignores its late answer', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher, refreshInterval: 1000 })
    const unsubscribeA = source.subscribe(() => {})
    const unsubscribeB = source.subscribe(() => {})
    const call = fake.last()

    unsubscribeA()
    expect(call.signal.aborted).toBe(false)
    unsubscribeB()
    expect(call.signal.aborted).toBe(true)

    call.resolve(statusOf([dayWindow(500, 1)]))
    await settle()
    jest.advanceTimersByTime(10_000)
    expect(source.getSnapshot().data).toBeUndefined()
    expect(fake.calls).toHaveLength(1)
  })

  it('aborts a fetch that a refetch supersedes', () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    source.subscribe(() => {})
    const first = fake.last()
    void source.refetch()
    expect(first.signal.aborted).toBe(true)
    expect(fake.calls).toHaveLength(2)
  })

  it('refetches when the window regains focus, unless refetchOnFocus is off', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    source.subscribe(() => {})
    fake.last().resolve(statusOf([dayWindow(500, 1)]))
    await settle()

    window.dispatchEvent(new Event('focus'))
    expect(fake.calls).toHaveLength(2)
    fake.last().resolve(statusOf([dayWindow(500, 2)]))
    await settle()

    source.configure({ refetchOnFocus: false })
    window.dispatchEvent(new Event('focus'))
    expect(fake.calls).toHaveLength(2)
  })

  it('stops listening for focus once unsubscribed', () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    source.subscribe(() => {})()
    window.dispatchEvent(new Event('focus'))
    expect(fake.calls).toHaveLength(1)
  })

  it('does not fetch on the first subscription when given initial data, but still polls', () => {
    const fake = fakeFetcher()
    const status = statusOf([dayWindow(500, 1)])
    const source = new QuotaStatusSource({
      src: SRC,
      fetcher: fake.fetcher,
      initialData: status,
      refreshInterval: 5000,
    })
    source.subscribe(() => {})
    expect(fake.calls).toHaveLength(0)
    expect(source.getSnapshot()).toMatchObject({ data: status, isLoading: false })
    jest.advanceTimersByTime(5000)
    expect(fake.calls).toHaveLength(1)
  })

  it('refetches by itself shortly after an exhausted window renews', async () => {
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    source.subscribe(() => {})
    fake.last().resolve(statusOf([dayWindow(500, 500), monthWindow(10_000, 900)]))
    await settle()

    // The day window renews at 14:00, 3 h 12 min after AT.
    jest.advanceTimersByTime((3 * 60 + 12) * 60_000 - 1)
    expect(fake.calls).toHaveLength(1)
    jest.advanceTimersByTime(1000)
    expect(fake.calls).toHaveLength(2)
  })

  it('applies the headers of another response, reading reset times on the server clock', async () => {
    // The viewer's clock is 10 minutes slow: the server says AT when the client reads AT - 10 min.
    jest.setSystemTime(Date.parse(AT) - 600_000)
    const fake = fakeFetcher()
    const source = new QuotaStatusSource({ src: SRC, fetcher: fake.fetcher })
    source.subscribe(() => {})
    fake.last().resolve(statusOf([dayWindow(500, 10)]))
    await settle()

    jest.advanceTimersByTime(60_000)
    const serverLater = new Date(Date.parse(AT) + 60_000).toISOString()
    const applied = source.updateFromHeaders(
      new Headers(rateLimitHeaders(decisionOf([dayWindow(500, 11)], serverLater))),
    )

    expect(applied).toBe(true)
    expect(source.getSnapshot().data).toMatchObject({
      at: serverLater,
      remaining: 489,
      windows: [{ duration: 'day', used: 11, remaining: 489, resetAt: '2025-03-10T14:00:00.000Z' }],
    })
    expect(fake.calls).toHaveLength(1) // no request needed
  })

  it('says when headers hold nothing to apply', () => {
    const source = new QuotaStatusSource()
    expect(source.updateFromHeaders(new Headers({ 'content-type': 'application/json' }))).toBe(false)
    expect(source.getSnapshot().data).toBeUndefined()
  })
})
