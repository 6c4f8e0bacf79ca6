import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { act, renderHook } from '@testing-library/react'
import { BalanceSource } from './balance-source.js'
import { fakeFetcher } from './test-support/fake-fetcher.js'
import { AT, balanceOf } from './test-support/fixtures.js'
import { useBalance } from './use-balance.js'

const SRC = '/api/billing/balance'

describe('useBalance', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(AT) })
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('goes from loading to data, and aborts its fetch on unmount', async () => {
    const fake = fakeFetcher()
    const { result, unmount } = renderHook(() => useBalance(SRC, { fetcher: fake.fetcher }))
    expect(result.current).toMatchObject({ isLoading: true, data: undefined })

    await act(async () => fake.last().resolve(balanceOf()))
    expect(result.current).toMatchObject({ isLoading: false, data: balanceOf(), error: undefined })
    const source = result.current.source
    await act(async () => void source.refetch())
    unmount()
    expect(fake.last().signal.aborted).toBe(true)
  })

  it('keeps one source for the life of the component, and a new one for a new URL', () => {
    const fake = fakeFetcher()
    const { result, rerender } = renderHook(({ url }) => useBalance(url, { fetcher: fake.fetcher }), {
      initialProps: { url: '/api/a/balance' },
    })
    const first = result.current.source
    rerender({ url: '/api/a/balance' })
    expect(result.current.source).toBe(first)
    rerender({ url: '/api/b/balance' })
    expect(result.current.source).not.toBe(first)
    expect(first.active).toBe(false)
  })

  it("moves available with the RateLimit header's balance item", async () => {
    const source = new BalanceSource({ initialData: balanceOf() })
    const { result } = renderHook(() => useBalance(source))

    let changed = false
    act(() => {
      changed = result.current.updateFromHeaders({ RateLimit: '"day";r=0;t=60, "balance";r=349' })
    })
    expect(changed).toBe(true)
    expect(result.current.data?.available).toBe(349)
    expect(result.current.updateFromHeaders({ RateLimit: '"day";r=0;t=60' })).toBe(false)
    expect(result.current.updateFromHeaders({ RateLimit: '"balance";r=349' })).toBe(false)
  })
})
