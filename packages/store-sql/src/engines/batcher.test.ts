import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { Batcher, type BatcherSettings } from './batcher.js'

/** A `run` whose calls the test settles by hand, recording every batch it was given. */
function controlledRun() {
  const batches: number[][] = []
  const pending: { resolve: (results: string[]) => void; reject: (error: unknown) => void }[] = []
  const run = (items: readonly number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push([...items])
      pending.push({ resolve, reject })
    })
  const answer = (index: number) => pending[index]?.resolve((batches[index] ?? []).map((n) => `r${n}`))
  const fail = (index: number, error: unknown) => pending[index]?.reject(error)
  return { run, batches, answer, fail }
}

const settings: BatcherSettings = { maxBatchSize: 3, maxBatchWaitMs: 5, maxBatchesInFlight: 2 }

describe('Batcher', () => {
  beforeEach(() => {
    jest.useFakeTimers()
  })
  afterEach(() => {
    jest.useRealTimers()
  })

  it('sends the items of one event-loop turn as one batch and answers each its own result', async () => {
    const { run, batches, answer } = controlledRun()
    const batcher = new Batcher(run, { ...settings, maxBatchSize: 10 })
    const results = Promise.all([1, 2, 3].map((n) => batcher.submit(n)))
    expect(batches).toEqual([])
    await jest.advanceTimersToNextTimerAsync()
    expect(batches).toEqual([[1, 2, 3]])
    answer(0)
    expect(await results).toEqual(['r1', 'r2', 'r3'])
  })

  it('holds items that arrive while a batch is in flight until it finishes, then sends them together', async () => {
    const { run, batches, answer } = controlledRun()
    const batcher = new Batcher(run, { ...settings, maxBatchSize: 10, maxBatchesInFlight: 1 })
    const first = batcher.submit(1)
    await jest.advanceTimersToNextTimerAsync()
    const later = [batcher.submit(2), batcher.submit(3)]
    await jest.advanceTimersByTimeAsync(50)
    expect(batches).toEqual([[1]])
    answer(0)
    expect(await first).toBe('r1')
    expect(batches).toEqual([[1], [2, 3]])
    answer(1)
    expect(await Promise.all(later)).toEqual(['r2', 'r3'])
  })

  it('sends waiting items beside a slow batch after maxBatchWaitMs, at most maxBatchesInFlight at once', async () => {
    const { run, batches, answer } = controlledRun()
    const batcher = new Batcher(run, { ...settings, maxBatchSize: 10 })
    void batcher.submit(1)
    await jest.advanceTimersToNextTimerAsync()
    void batcher.submit(2)
    await jest.advanceTimersByTimeAsync(4)
    expect(batches).toEqual([[1]])
    await jest.advanceTimersByTimeAsync(1)
    expect(batches).toEqual([[1], [2]])
    void batcher.submit(3)
    await jest.advanceTimersByTimeAsync(50)
    expect(batches).toEqual([[1], [2]])
    answer(1)
    await jest.advanceTimersByTimeAsync(0)
    expect(batches).toEqual([[1], [2], [3]])
    answer(0)
    answer(2)
  })

  it('never puts more than maxBatchSize items in one batch', async () => {
    const { run, batches, answer } = controlledRun()
    const batcher = new Batcher(run, { ...settings, maxBatchesInFlight: 5 })
    const results = Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batcher.submit(n)))
    await jest.advanceTimersByTimeAsync(10)
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]])
    batches.forEach((_, i) => {
      answer(i)
    })
    expect(await results).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'])
  })

  it('rejects every item of a failed batch with its error, and only those', async () => {
    const { run, batches, answer, fail } = controlledRun()
    const batcher = new Batcher(run, { ...settings, maxBatchSize: 2, maxBatchesInFlight: 2 })
    const results = [1, 2, 3].map((n) => batcher.submit(n).catch((error: unknown) => error))
    await jest.advanceTimersByTimeAsync(10)
    expect(batches).toEqual([[1, 2], [3]])
    const boom = new Error('connection lost')
    fail(0, boom)
    answer(1)
    expect(await Promise.all(results)).toEqual([boom, boom, 'r3'])
  })
})
