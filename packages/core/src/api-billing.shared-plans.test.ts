import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'
import { ManualClock } from './testing/manual-clock.js'
import { UNLIMITED } from './unlimited.js'

const billingAt = (at = '2026-06-15T10:00:00Z') =>
  new ApiBilling({ store: new MemoryUsageStore(), clock: new ManualClock(at).now })

describe('clients on the same plan', () => {
  it('keep separate counts and can each change plan on their own', async () => {
    const billing = billingAt()
    const plan: QuotaDefinition[] = [{ duration: 'minute', creditLimit: 3 }]
    await billing.updateClientQuotas('a', plan)
    await billing.updateClientQuotas('b', [{ duration: 'minute', creditLimit: 3 }])
    await billing.tryTrackClientUsage('a', 3)
    expect((await billing.tryTrackClientUsage('b', 1)).windows[0]?.used).toBe(1)
    await billing.updateClientQuotas('b', [{ duration: 'minute', creditLimit: 10 }])
    expect((await billing.tryTrackClientUsage('a', 1)).allowed).toBe(false)
    expect((await billing.tryTrackClientUsage('b', 5)).windows[0]?.used).toBe(6)
    expect(billing.getClientQuotas('a')).toEqual(plan)
  })

  it('still validates a plan that only looks like a known one', async () => {
    const billing = billingAt()
    await billing.updateClientQuotas('a', [{ duration: 'day', creditLimit: UNLIMITED }])
    await billing.updateClientQuotas('a', [{ duration: 'day', creditLimit: 10 }])
    for (const creditLimit of ['10', null, Number.NaN] as unknown as number[]) {
      await expect(
        billing.updateClientQuotas('b', [{ duration: 'day', creditLimit }]),
      ).rejects.toBeInstanceOf(InvalidArgumentError)
    }
    expect(billing.getClientQuotas('b')).toBeUndefined()
  })
})
