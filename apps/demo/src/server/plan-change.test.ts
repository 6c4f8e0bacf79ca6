import { describe, expect, it } from '@jest/globals'
import { InvalidArgumentError, type QuotaDefinition } from '@x/api-billing-core'
import { planChangeFrom } from './plan-change.js'

const catalog = new Map<string, readonly QuotaDefinition[]>([
  ['free', [{ duration: 'day', creditLimit: 100 }]],
])

describe('planChangeFrom', () => {
  it('takes a catalog plan, a plan with overrides, or quotas of the client’s own, as the JSON gives them', () => {
    expect(planChangeFrom({ plan: 'free' }, catalog)).toEqual({ plan: 'free' })
    const overrides = [{ duration: 'minute', creditLimit: 5 }]
    expect(planChangeFrom({ plan: 'free', overrides }, catalog)).toEqual({ plan: 'free', overrides })
    const quotas = [
      { duration: 'day', creditLimit: null, startDate: '2026-01-01T00:00:00Z', timeZone: 'UTC' },
    ]
    expect(planChangeFrom({ quotas }, catalog)).toEqual({ quotas })
  })

  it('refuses what the engine would refuse, naming the field', () => {
    const refused = (body: unknown) => () => planChangeFrom(body, catalog)
    expect(refused({ plan: 'platinum' })).toThrow('Invalid plan: no plan named "platinum"')
    expect(refused({ plan: 'constructor' })).toThrow(InvalidArgumentError)
    expect(refused(undefined)).toThrow(/^Invalid body: /)
    expect(refused({ quotas: [] })).toThrow(/^Invalid quotas/)
    expect(refused({ quotas: [{ duration: 'minute', creditLimit: -1 }] })).toThrow(/^Invalid quotas\[0\]/)
    expect(refused({ quotas: [{ duration: 'fortnight', creditLimit: 1 }] })).toThrow(/^Invalid quotas\[0\]/)
    expect(refused({ quotas: 'lots' })).toThrow('Invalid quotas: expected an array of quota definitions')
    const twice = [
      { duration: 'minute', creditLimit: 5 },
      { duration: 'minute', creditLimit: 6 },
    ]
    expect(refused({ plan: 'free', overrides: twice })).toThrow(/^Invalid overrides: the minute duration/)
  })
})
