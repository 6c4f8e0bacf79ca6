import { describe, expect, it } from '@jest/globals'
import type { ResolveClient } from './client-resolution.js'
import { ClientResolver } from './client-resolver.js'
import { UnknownClientError } from './errors/unknown-client-error.js'
import { PlanCatalog } from './plan-catalog.js'
import { SharedPlanRegistry } from './shared-plan-registry.js'

function resolverOf(resolveClient: ResolveClient) {
  const clock = { ms: 1_000 }
  const registry = new SharedPlanRegistry()
  const catalog = new PlanCatalog(registry)
  catalog.define('free', [{ duration: 'day', creditLimit: 10 }])
  const resolver = new ClientResolver({
    resolveClient,
    catalog,
    registry,
    cache: { ttlMs: 100 },
    now: () => clock.ms,
    onResolveError: undefined,
  })
  return { resolver, clock, catalog }
}

describe('ClientResolver.fresh', () => {
  it('answers a fresh cached plan synchronously, and nothing once it is stale', async () => {
    const { resolver, clock, catalog } = resolverOf(async () => 'free')
    expect(resolver.fresh('c', clock.ms)).toBeUndefined()
    const resolved = await resolver.plan('c')
    expect(resolver.fresh('c', clock.ms)).toBe(resolved.plan)
    expect(resolved).toBe(catalog.get('free')?.shared)
    expect(resolver.fresh('c', clock.ms + 99)).toBe(resolved.plan)
    expect(resolver.fresh('c', clock.ms + 100)).toBeUndefined()
  })

  it('throws UnknownClientError synchronously for a fresh "unknown"', async () => {
    const { resolver, clock } = resolverOf(() => undefined)
    await expect(resolver.plan('x')).rejects.toBeInstanceOf(UnknownClientError)
    expect(() => resolver.fresh('x', clock.ms)).toThrow(UnknownClientError)
  })
})
