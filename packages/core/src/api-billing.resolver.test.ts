import { describe, expect, it } from '@jest/globals'
import { ApiBilling, type ApiBillingOptions } from './api-billing.js'
import type { ClientResolution, ResolveClient } from './client-resolution.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { PlanResolutionError } from './errors/plan-resolution-error.js'
import { UnknownClientError } from './errors/unknown-client-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'
import { ManualClock } from './testing/manual-clock.js'

const PLANS: Record<string, QuotaDefinition[]> = {
  free: [{ duration: 'minute', creditLimit: 2 }],
  pro: [{ duration: 'minute', creditLimit: 5_000 }],
}
const TTL = 60_000

/** A resolver over a table you can change, counting its calls per client. */
function tableResolver(table: Record<string, ClientResolution>) {
  const calls: string[] = []
  const resolveClient: ResolveClient = async (clientId) => {
    calls.push(clientId)
    return table[clientId]
  }
  return { resolveClient, calls }
}

function setup(resolveClient: ResolveClient, options: Partial<ApiBillingOptions> = {}) {
  const clock = new ManualClock('2026-06-15T10:00:00Z')
  const billing = new ApiBilling({
    store: new MemoryUsageStore(),
    clock: clock.now,
    plans: PLANS,
    resolveClient,
    ...options,
  })
  return { billing, clock }
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {}
  let reject: (error: unknown) => void = () => {}
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Lets every settled promise run its callbacks (a background refresh finishing): waits, never sleeps. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve))

const limitOf = async (billing: ApiBilling, clientId: string) =>
  (await billing.tryTrackClientUsage(clientId, 0)).windows[0]?.limit

describe('ApiBilling with resolveClient: resolution on first use', () => {
  it('calls the resolver once for 1,000 concurrent first requests of a client', async () => {
    const answer = deferred<ClientResolution>()
    let calls = 0
    const { billing } = setup(() => {
      calls++
      return answer.promise
    })
    const requests = Array.from({ length: 1_000 }, () => billing.tryTrackClientUsage('c', 1))
    await settled()
    expect(calls).toBe(1)
    answer.resolve('pro')
    const decisions = await Promise.all(requests)
    expect(decisions.every((d) => d.allowed)).toBe(true)
    expect(Math.max(...decisions.map((d) => d.windows[0]?.used ?? 0))).toBe(1_000)
    await billing.tryTrackClientUsage('c', 1)
    expect(calls).toBe(1)
  })

  it('asks once per client, not once for all clients', async () => {
    const { resolveClient, calls } = tableResolver({ a: 'free', b: 'pro' })
    const { billing } = setup(resolveClient)
    await Promise.all(['a', 'b', 'a', 'b'].map((id) => billing.tryTrackClientUsage(id)))
    expect(calls.sort()).toEqual(['a', 'b'])
    expect([await limitOf(billing, 'a'), await limitOf(billing, 'b')]).toEqual([2, 5_000])
  })

  it('accepts a synchronous resolver and the client’s own definitions', async () => {
    const { billing } = setup(() => [{ duration: 'hour', creditLimit: 7 }])
    const decision = await billing.tryTrackClientUsage('own', 3)
    expect([decision.windows[0]?.duration, decision.windows[0]?.remaining]).toEqual(['hour', 4])
  })

  it('resolves for getQuotaStatus, resolveClientQuotas and trackClientUsage too', async () => {
    const { resolveClient, calls } = tableResolver({ s: 'free', q: 'pro', t: 'free' })
    const { billing } = setup(resolveClient)
    expect((await billing.getQuotaStatus('s')).windows[0]?.limit).toBe(2)
    expect(await billing.resolveClientQuotas('q')).toEqual(PLANS.pro)
    expect((await billing.trackClientUsage('t', 2)).remaining).toBe(0)
    expect(calls).toEqual(['s', 'q', 't'])
  })
})

describe('ApiBilling with resolveClient: unknown clients', () => {
  it('caches "unknown" too: a flood of one made-up key costs one lookup per TTL', async () => {
    const { resolveClient, calls } = tableResolver({ nobody: null })
    const { billing, clock } = setup(resolveClient)
    const floods = await Promise.allSettled(
      Array.from({ length: 200 }, () => billing.tryTrackClientUsage('made-up')),
    )
    for (let i = 0; i < 20; i++) {
      await expect(billing.tryTrackClientUsage('made-up')).rejects.toBeInstanceOf(UnknownClientError)
    }
    await expect(billing.getQuotaStatus('nobody')).rejects.toBeInstanceOf(UnknownClientError)
    expect(floods.every((r) => r.status === 'rejected' && r.reason instanceof UnknownClientError)).toBe(true)
    expect(calls).toEqual(['made-up', 'nobody'])
    clock.advance(TTL)
    await expect(billing.tryTrackClientUsage('made-up')).rejects.toBeInstanceOf(UnknownClientError)
    expect(calls).toEqual(['made-up', 'nobody', 'made-up'])
  })

  it('lets a client that was unknown in once its TTL is over (an expired "unknown" waits for the answer)', async () => {
    const table: Record<string, ClientResolution> = {}
    const { resolveClient, calls } = tableResolver(table)
    const { billing, clock } = setup(resolveClient)
    await expect(billing.tryTrackClientUsage('new')).rejects.toBeInstanceOf(UnknownClientError)
    table.new = 'free'
    clock.advance(TTL - 1)
    await expect(billing.tryTrackClientUsage('new')).rejects.toBeInstanceOf(UnknownClientError)
    clock.advance(1)
    expect((await billing.tryTrackClientUsage('new')).allowed).toBe(true)
    expect(calls).toEqual(['new', 'new'])
  })

  it('keeps reports working for clients nobody knows, without asking the resolver', async () => {
    const { resolveClient, calls } = tableResolver({})
    const { billing } = setup(resolveClient)
    expect(await billing.getTotalUsage('ghost')).toBe(0)
    const from = new Date('2026-06-14T00:00:00Z')
    expect(await billing.getDailyUsage('ghost', from, new Date('2026-06-15T00:00:00Z'))).toEqual([
      { date: '2026-06-14', credits: 0, fromBalance: 0, overage: 0 },
    ])
    await billing.deleteClientUsage('ghost')
    expect(billing.getClientQuotas('ghost')).toBeUndefined()
    expect(calls).toEqual([])
  })
})

describe('ApiBilling with resolveClient: the cache', () => {
  it('serves the cached plan until ttlMs, then refreshes it while serving the old one', async () => {
    const table: Record<string, ClientResolution> = { c: 'free' }
    const { resolveClient, calls } = tableResolver(table)
    const { billing, clock } = setup(resolveClient)
    expect(await limitOf(billing, 'c')).toBe(2)
    table.c = 'pro'
    clock.advance(TTL - 1)
    expect(await limitOf(billing, 'c')).toBe(2)
    expect(calls).toEqual(['c'])
    clock.advance(1)
    expect(await limitOf(billing, 'c')).toBe(2) // stale while the refresh runs
    await settled()
    expect(await limitOf(billing, 'c')).toBe(5_000)
    expect(calls).toEqual(['c', 'c'])
  })

  it('holds at most maxClients answers, dropping the least recently used', async () => {
    const { resolveClient, calls } = tableResolver({ a: 'free', b: 'free', c: 'pro', d: 'pro' })
    const { billing } = setup(resolveClient, { clientCache: { maxClients: 2 } })
    for (const id of ['a', 'b', 'a', 'c', 'a', 'b']) await billing.tryTrackClientUsage(id, 0)
    // a b a c(drops b) a b(drops c)
    expect(calls).toEqual(['a', 'b', 'c', 'b'])
    expect(['a', 'b', 'c'].map((id) => billing.getClientQuotas(id) !== undefined)).toEqual([
      true,
      true,
      false,
    ])
  })

  it('counts unknown clients towards maxClients', async () => {
    const { resolveClient, calls } = tableResolver({ a: 'free' })
    const { billing } = setup(resolveClient, { clientCache: { maxClients: 1 } })
    await billing.tryTrackClientUsage('a', 0)
    await expect(billing.tryTrackClientUsage('x')).rejects.toBeInstanceOf(UnknownClientError)
    await billing.tryTrackClientUsage('a', 0)
    expect(calls).toEqual(['a', 'x', 'a'])
  })

  it('forgets a client on invalidateClient, and an answer in flight is then not cached', async () => {
    const table: Record<string, ClientResolution> = { c: 'free' }
    const { resolveClient, calls } = tableResolver(table)
    const { billing } = setup(resolveClient)
    expect(await limitOf(billing, 'c')).toBe(2)
    table.c = 'pro'
    expect(billing.invalidateClient('c')).toBe(true)
    expect(billing.invalidateClient('c')).toBe(false)
    expect(await limitOf(billing, 'c')).toBe(5_000)

    const slow = deferred<ClientResolution>()
    const { billing: racing } = setup(() => slow.promise)
    const first = racing.tryTrackClientUsage('r', 0)
    await settled()
    racing.invalidateClient('r')
    slow.resolve('free')
    expect((await first).windows[0]?.limit).toBe(2) // its own answer
    expect(racing.getClientQuotas('r')).toBeUndefined() // but not remembered
    expect(calls).toEqual(['c', 'c'])
  })

  it('keeps ttlMs Infinity answers until invalidated', async () => {
    const { resolveClient, calls } = tableResolver({ c: 'free' })
    const { billing, clock } = setup(resolveClient, { clientCache: { ttlMs: Number.POSITIVE_INFINITY } })
    await billing.tryTrackClientUsage('c', 0)
    clock.advance(365 * 86_400_000)
    await billing.tryTrackClientUsage('c', 0)
    expect(calls).toEqual(['c'])
  })

  it('rejects invalid cache and resolver options at construction', () => {
    const store = new MemoryUsageStore()
    const resolveClient = () => 'free'
    const bad: Partial<ApiBillingOptions>[] = [
      { resolveClient: 'pro' as unknown as ResolveClient },
      { resolveClient, clientCache: { maxClients: 0 } },
      { resolveClient, clientCache: { maxClients: 1.5 } },
      { resolveClient, clientCache: { ttlMs: 0 } },
      { resolveClient, clientCache: { ttlMs: Number.NaN } },
      { resolveClient, onResolveError: 42 as unknown as () => void },
      { plans: [] as unknown as Record<string, QuotaDefinition[]> },
      { plans: { free: [] } },
      { plans: { free: [{ duration: 'minute', creditLimit: -1 }] } },
    ]
    for (const options of bad) {
      expect(() => new ApiBilling({ store, ...options })).toThrow(InvalidArgumentError)
    }
    expect(() => new ApiBilling({ store, plans: { free: [{ duration: 'day', creditLimit: -1 }] } })).toThrow(
      /options\.plans\.free\[0\]\.creditLimit/,
    )
  })
})

describe('ApiBilling with resolveClient: a failing resolver', () => {
  it('fails the request with PlanResolutionError (503, the cause attached) and caches nothing', async () => {
    const outage = new Error('connection refused')
    let calls = 0
    const { billing } = setup(() => {
      calls++
      throw outage
    })
    const error = await billing.tryTrackClientUsage('c').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlanResolutionError)
    const failure = error as PlanResolutionError
    expect([failure.status, failure.code, failure.clientId, failure.cause]).toEqual([
      503,
      'PLAN_RESOLUTION_FAILED',
      'c',
      outage,
    ])
    expect(failure.message).toMatch(/resolveClient failed for client "c": connection refused/)
    await expect(billing.getQuotaStatus('c')).rejects.toBeInstanceOf(PlanResolutionError)
    expect(calls).toBe(2)
  })

  it('uses the expired answer instead, tells onResolveError, and retries a second later', async () => {
    let down = false
    let calls = 0
    const reported: PlanResolutionError[] = []
    const { billing, clock } = setup(
      async () => {
        calls++
        if (down) throw new Error('db down')
        return 'free'
      },
      { onResolveError: (e) => reported.push(e) },
    )
    await billing.tryTrackClientUsage('c', 1)
    down = true
    clock.advance(TTL)
    expect((await billing.tryTrackClientUsage('c', 1)).allowed).toBe(true) // stale, refresh fails behind
    await settled()
    expect(reported.map((e) => e.message)).toEqual([expect.stringMatching(/db down/)])
    expect(await limitOf(billing, 'c')).toBe(2) // still free, and no new call within the second
    expect(calls).toBe(2)
    clock.advance(1_000)
    down = false
    await billing.tryTrackClientUsage('c', 0)
    await settled()
    expect(calls).toBe(3)
    expect(reported).toHaveLength(1)
  })

  it('answers an expired "unknown" as unknown while the resolver fails', async () => {
    let down = false
    const { billing, clock } = setup(async () => {
      if (down) throw new Error('db down')
      return undefined
    })
    await expect(billing.tryTrackClientUsage('x')).rejects.toBeInstanceOf(UnknownClientError)
    down = true
    clock.advance(TTL)
    await expect(billing.tryTrackClientUsage('x')).rejects.toBeInstanceOf(UnknownClientError)
  })

  it('turns a throwing onResolveError into nothing: the request is still served', async () => {
    let down = false
    const { billing, clock } = setup(
      async () => {
        if (down) throw new Error('db down')
        return 'pro'
      },
      {
        onResolveError: () => {
          throw new Error('observer bug')
        },
      },
    )
    await billing.tryTrackClientUsage('c')
    down = true
    clock.advance(TTL)
    await billing.tryTrackClientUsage('c')
    await settled()
    expect((await billing.tryTrackClientUsage('c')).allowed).toBe(true)
  })
})

describe('ApiBilling with resolveClient: pinned clients', () => {
  it('never asks the resolver about a client set with updateClientQuotas', async () => {
    const { resolveClient, calls } = tableResolver({ p: 'pro' })
    const { billing, clock } = setup(resolveClient)
    await billing.updateClientQuotas('p', [{ duration: 'day', creditLimit: 3 }])
    for (let i = 0; i < 3; i++) {
      await billing.tryTrackClientUsage('p')
      clock.advance(TTL)
    }
    expect(await billing.resolveClientQuotas('p')).toEqual([{ duration: 'day', creditLimit: 3 }])
    expect((await billing.getQuotaStatus('p')).windows[0]?.used).toBe(3)
    expect(calls).toEqual([])
  })

  it('lets a pinned plan win over a cached answer at once, and removeClient hand the client back', async () => {
    const { resolveClient, calls } = tableResolver({ c: 'free' })
    const { billing } = setup(resolveClient)
    expect(await limitOf(billing, 'c')).toBe(2)
    await billing.updateClientQuotas('c', [{ duration: 'minute', creditLimit: 9 }])
    expect(await limitOf(billing, 'c')).toBe(9)
    expect(await billing.removeClient('c')).toBe(true)
    expect(await billing.removeClient('c')).toBe(false)
    expect(await limitOf(billing, 'c')).toBe(2)
    expect(calls).toEqual(['c', 'c'])
  })

  it('without a resolver, an unpinned client is unknown exactly as before', async () => {
    const billing = new ApiBilling({ store: new MemoryUsageStore(), plans: PLANS })
    await expect(billing.tryTrackClientUsage('c')).rejects.toBeInstanceOf(UnknownClientError)
    await expect(billing.resolveClientQuotas('c')).rejects.toBeInstanceOf(UnknownClientError)
    expect(billing.invalidateClient('c')).toBe(false)
  })
})
