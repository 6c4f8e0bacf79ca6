import { describe, expect, it } from '@jest/globals'
import { ClientBatcher } from './client-batcher.js'

/** A batcher whose flush records every batch and answers each item with `item * 10`. */
function recording(maxBatchSize = 100, exclusiveKey?: (item: number) => string | undefined) {
  const batches: [string, number[]][] = []
  let release: (() => void) | undefined
  let gate: Promise<void> | undefined
  const batcher = new ClientBatcher<number, number>({
    maxBatchSize,
    exclusiveKey,
    flush: async (clientId, items) => {
      batches.push([clientId, [...items]])
      await gate
      return items.map((i) => i * 10)
    },
  })
  /** Holds every flush until the returned function is called. */
  const hold = () => {
    gate = new Promise((resolve) => {
      release = resolve
    })
    return () => {
      gate = undefined
      release?.()
    }
  }
  return { batcher, batches, hold }
}

describe('ClientBatcher', () => {
  it('sends items submitted together as one batch and answers each caller its own result', async () => {
    const { batcher, batches } = recording()
    const results = await Promise.all([1, 2, 3].map((i) => batcher.submit('a', i)))
    expect(results).toEqual([10, 20, 30])
    expect(batches).toEqual([['a', [1, 2, 3]]])
  })

  it('sends what arrives while a batch is at the server as the next batch, in order', async () => {
    const { batcher, batches, hold } = recording()
    const open = hold()
    const first = batcher.submit('a', 1)
    await new Promise((resolve) => setImmediate(resolve))
    const later = [2, 3].map((i) => batcher.submit('a', i))
    open()
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30])
    expect(batches).toEqual([
      ['a', [1]],
      ['a', [2, 3]],
    ])
  })

  it('keeps batches of different clients apart and no larger than maxBatchSize', async () => {
    const { batcher, batches } = recording(2)
    await Promise.all([
      batcher.submit('a', 1),
      batcher.submit('b', 2),
      batcher.submit('a', 3),
      batcher.submit('a', 4),
    ])
    expect(batches.filter(([client]) => client === 'a')).toEqual([
      ['a', [1, 3]],
      ['a', [4]],
    ])
    expect(batches.filter(([client]) => client === 'b')).toEqual([['b', [2]]])
  })

  it('never puts two items with the same exclusive key in one batch', async () => {
    const { batcher, batches } = recording(100, (i) => (i % 2 === 0 ? 'even' : undefined))
    await Promise.all([2, 1, 4, 3, 6].map((i) => batcher.submit('a', i)))
    expect(batches).toEqual([
      ['a', [2, 1, 3]],
      ['a', [4]],
      ['a', [6]],
    ])
  })

  it('fails every item of a failed batch and goes on with the next one', async () => {
    let calls = 0
    const batcher = new ClientBatcher<number, number>({
      maxBatchSize: 2,
      flush: async (_clientId, items) => {
        calls++
        if (calls === 1) throw new Error('server gone')
        return items.map((i) => i)
      },
    })
    const settled = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit('a', i)))
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled'])
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(new Error('server gone'))
  })
})
