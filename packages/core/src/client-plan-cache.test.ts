import { describe, expect, it } from '@jest/globals'
import { ClientPlanCache } from './client-plan-cache.js'

function cacheOf(maxEntries: number, ttlMs = 1_000) {
  const clock = { ms: 0 }
  const cache = new ClientPlanCache<string>({ maxEntries, ttlMs, now: () => clock.ms })
  return { cache, clock }
}

describe('ClientPlanCache', () => {
  it('drops the least recently used entry past maxEntries', () => {
    const { cache } = cacheOf(3)
    for (const key of ['a', 'b', 'c']) cache.set(key, key.toUpperCase())
    cache.get('a') // now b is the least recently used
    cache.set('d', 'D')
    expect(cache.size).toBe(3)
    expect(cache.peek('b')).toBeUndefined()
    expect(['a', 'c', 'd'].map((k) => cache.peek(k)?.value)).toEqual(['A', 'C', 'D'])
  })

  it('does not count a peek as a use', () => {
    const { cache } = cacheOf(2)
    cache.set('a', 'A')
    cache.set('b', 'B')
    cache.peek('a')
    cache.set('c', 'C')
    expect(cache.peek('a')).toBeUndefined()
    expect(cache.peek('b')?.value).toBe('B')
  })

  it('marks an entry stale after ttlMs and keeps it until replaced', () => {
    const { cache, clock } = cacheOf(10, 1_000)
    clock.ms = 5_000
    cache.set('a', 'A')
    expect(cache.get('a')?.expiresAt).toBe(6_000)
    clock.ms = 7_000
    expect(cache.get('a')?.value).toBe('A')
    const replaced = cache.set('a', 'A2')
    expect([replaced.value, replaced.expiresAt, cache.size]).toEqual(['A2', 8_000, 1])
  })

  it('replacing a value makes it the most recently used', () => {
    const { cache } = cacheOf(2)
    cache.set('a', 'A')
    cache.set('b', 'B')
    cache.set('a', 'A2')
    cache.set('c', 'C')
    expect(cache.peek('b')).toBeUndefined()
    expect(cache.peek('a')?.value).toBe('A2')
  })

  it('deletes from the middle, the head and the tail without losing the order of the rest', () => {
    const { cache } = cacheOf(5)
    for (const key of ['a', 'b', 'c', 'd', 'e']) cache.set(key, key)
    expect([cache.delete('c'), cache.delete('e'), cache.delete('a'), cache.delete('a')]).toEqual([
      true,
      true,
      true,
      false,
    ])
    for (const key of ['f', 'g', 'h', 'i']) cache.set(key, key) // b, d, f, g, h, i: b goes
    expect(cache.peek('b')).toBeUndefined()
    cache.get('d')
    cache.set('j', 'j') // f, g, h, i, d, j: f goes
    expect(cache.peek('f')).toBeUndefined()
    expect(['d', 'g', 'h', 'i', 'j'].every((k) => cache.peek(k)?.value === k)).toBe(true)
    expect(cache.size).toBe(5)
  })

  it('leaves an entry in the newest quarter where it is on a hit, and still evicts the least recently used', () => {
    const { cache } = cacheOf(8) // newest quarter: 2 entries
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) cache.set(key, key)
    const g = cache.peek('g')
    const stamp = g?.pushedAt
    cache.get('g') // second newest: nothing written
    expect(g?.pushedAt).toBe(stamp)
    cache.get('a') // the oldest: moved to the head
    cache.set('i', 'i')
    expect(cache.peek('b')).toBeUndefined()
    expect(cache.peek('a')?.value).toBe('a')
    expect(cache.size).toBe(8)
  })

  it('keeps exactly one entry with maxEntries 1', () => {
    const { cache } = cacheOf(1)
    cache.set('a', 'A')
    cache.set('b', 'B')
    expect([cache.size, cache.peek('a'), cache.peek('b')?.value]).toEqual([1, undefined, 'B'])
  })
})
