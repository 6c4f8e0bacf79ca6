import { createHook } from 'node:async_hooks'
import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'

const PRO: QuotaDefinition[] = [{ duration: 'day', creditLimit: 1_000_000 }]

/** Promises created while `run` runs to completion. */
async function promisesCreatedBy(run: () => Promise<unknown>): Promise<number> {
  let count = 0
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') count++
    },
  })
  hook.enable()
  try {
    await run()
  } finally {
    hook.disable()
  }
  return count
}

describe('the charge of a resolved client', () => {
  it('creates no more promises than the charge of a pinned client once its answer is cached', async () => {
    let calls = 0
    const billing = new ApiBilling({
      store: new MemoryUsageStore(),
      plans: { pro: PRO },
      resolveClient: () => {
        calls++
        return 'pro'
      },
    })
    await billing.updateClientQuotas('pinned', PRO)
    await billing.tryTrackClientUsage('resolved') // resolves and caches
    await billing.tryTrackClientUsage('pinned')
    const pinned = await promisesCreatedBy(() => billing.tryTrackClientUsage('pinned'))
    const resolved = await promisesCreatedBy(() => billing.tryTrackClientUsage('resolved'))
    expect(resolved).toBe(pinned)
    expect(calls).toBe(1)
  })
})
