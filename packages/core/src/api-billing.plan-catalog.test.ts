import { describe, expect, it } from '@jest/globals'
import { ApiBilling } from './api-billing.js'
import type { ClientResolution } from './client-resolution.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { PlanResolutionError } from './errors/plan-resolution-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'
import { ManualClock } from './testing/manual-clock.js'
import { UNLIMITED } from './unlimited.js'

const FREE: QuotaDefinition[] = [
  { duration: 'minute', creditLimit: 10 },
  { duration: 'day', creditLimit: 100 },
]

/** An engine whose resolver answers from `table`, counting calls. */
function setup(table: Record<string, ClientResolution>) {
  const clock = new ManualClock('2026-06-15T10:00:00Z')
  let calls = 0
  const billing = new ApiBilling({
    store: new MemoryUsageStore(),
    clock: clock.now,
    plans: { free: FREE },
    resolveClient: (clientId) => {
      calls++
      return table[clientId]
    },
  })
  return { billing, clock, calls: () => calls }
}

const limits = async (billing: ApiBilling, clientId: string) =>
  (await billing.getQuotaStatus(clientId)).windows.map((w) => [w.duration, w.limit])

describe('the plan catalog', () => {
  it('gives clients of one plan one compiled plan and window cache', async () => {
    const { billing } = setup({ a: 'free', b: 'free' })
    const [a, b] = await Promise.all([billing.tryTrackClientUsage('a'), billing.tryTrackClientUsage('b')])
    expect(a?.windows[0]?.start).toBe(b?.windows[0]?.start) // the very same shared Date
    expect(a?.windows[0]?.used).toBe(1)
    expect(b?.windows[0]?.used).toBe(1)
  })

  it('moves every client of a replaced plan to it at the next request, usage kept, without asking again', async () => {
    const { billing, calls } = setup({ a: 'free', b: 'free' })
    await billing.tryTrackClientUsage('a', 4)
    await billing.tryTrackClientUsage('b', 1)
    billing.definePlan('free', [
      { duration: 'minute', creditLimit: 5 },
      { duration: 'day', creditLimit: 100 },
    ])
    expect((await billing.tryTrackClientUsage('a', 2)).allowed).toBe(false)
    const b = await billing.tryTrackClientUsage('b', 2)
    expect([b.allowed, b.windows[0]?.limit, b.windows[0]?.used]).toEqual([true, 5, 3])
    expect(billing.getClientQuotas('a')).toEqual(billing.getPlan('free'))
    expect(calls()).toBe(2)
  })

  it('adds plans at run time that the resolver may then name', async () => {
    const { billing } = setup({ c: 'gold' })
    await expect(billing.tryTrackClientUsage('c')).rejects.toThrow(PlanResolutionError)
    expect(billing.getPlan('gold')).toBeUndefined()
    billing.definePlan('gold', [{ duration: 'year', creditLimit: UNLIMITED }])
    expect(await limits(billing, 'c')).toEqual([['year', UNLIMITED]])
  })

  it('rejects an invalid plan or name and leaves the catalog as it was', async () => {
    const { billing } = setup({ a: 'free' })
    expect(() => billing.definePlan('free', [])).toThrow(InvalidArgumentError)
    expect(() =>
      billing.definePlan('free', [
        { duration: 'day', creditLimit: 1 },
        { duration: 'day', creditLimit: 2 },
      ]),
    ).toThrow(/day duration is defined twice/)
    expect(() => billing.definePlan('', FREE)).toThrow(InvalidArgumentError)
    expect(() => billing.definePlan(7 as unknown as string, FREE)).toThrow(/plan name/)
    expect(billing.getPlan('free')).toEqual(FREE)
    expect(await limits(billing, 'a')).toEqual([
      ['minute', 10],
      ['day', 100],
    ])
  })
})

describe('plan overrides', () => {
  it('replace the plan’s window of the same duration and add the others', async () => {
    const { billing } = setup({
      big: {
        plan: 'free',
        overrides: [
          { duration: 'day', creditLimit: 1_000 },
          { duration: 'month', creditLimit: 20_000 },
        ],
      },
      plain: { plan: 'free', overrides: [] },
    })
    expect(await limits(billing, 'big')).toEqual([
      ['minute', 10],
      ['day', 1_000],
      ['month', 20_000],
    ])
    expect(billing.getClientQuotas('big')).toEqual([
      { duration: 'minute', creditLimit: 10 },
      { duration: 'day', creditLimit: 1_000 },
      { duration: 'month', creditLimit: 20_000 },
    ])
    expect(await limits(billing, 'plain')).toEqual([
      ['minute', 10],
      ['day', 100],
    ])
  })

  it('stay on top of the plan when it is replaced', async () => {
    const { billing } = setup({ big: { plan: 'free', overrides: [{ duration: 'day', creditLimit: 1_000 }] } })
    await billing.tryTrackClientUsage('big', 3)
    billing.definePlan('free', [
      { duration: 'minute', creditLimit: 50 },
      { duration: 'day', creditLimit: 200 },
      { duration: 'hour', creditLimit: 500 },
    ])
    const decision = await billing.tryTrackClientUsage('big', 1)
    expect(decision.windows.map((w) => [w.duration, w.limit, w.used])).toEqual([
      ['minute', 50, 4],
      ['hour', 500, 1],
      ['day', 1_000, 4],
    ])
  })
})

describe('bad resolver answers', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a number', 42, /answered 42; expected a plan name, an array of quota definitions/],
    ['a boolean', true, /answered true; expected a plan name/],
    ['an object without a plan', { tier: 'free' }, /answered an object without a plan; expected a plan name/],
    ['a plan that is not a string', { plan: 5 }, /an object whose plan is 5/],
    [
      'a plan name not in the catalog',
      'gold',
      /plan "gold", but the catalog has no such plan \(defined: free\)/,
    ],
    ['an empty plan name', '', /plan "", but the catalog has no such plan/],
    ['overrides that are not an array', { plan: 'free', overrides: 'x' }, /overrides "x"; expected an array/],
    [
      'overrides naming a duration twice',
      {
        plan: 'free',
        overrides: [
          { duration: 'day', creditLimit: 1 },
          { duration: 'day', creditLimit: 2 },
        ],
      },
      /invalid overrides — Invalid overrides: the day duration is defined twice/,
    ],
    [
      'an invalid override',
      { plan: 'free', overrides: [{ duration: 'fortnight', creditLimit: 1 }] },
      /invalid overrides — Invalid overrides\[0\]\.duration/,
    ],
    ['an empty definitions array', [], /invalid quota definitions — .*at least one quota definition/],
    [
      'a definition with a bad limit',
      [{ duration: 'day', creditLimit: '10' }],
      /invalid quota definitions — Invalid definitions\[0\]\.creditLimit/,
    ],
  ]

  it.each(cases)(
    'rejects %s with a PlanResolutionError that says what was wrong',
    async (_, answer, message) => {
      const { billing } = setup({ c: answer as ClientResolution })
      const error = await billing.tryTrackClientUsage('c').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(PlanResolutionError)
      expect((error as PlanResolutionError).message).toMatch(message)
      expect((error as PlanResolutionError).message).toMatch(/\(client "c"\)/)
      expect(billing.getClientQuotas('c')).toBeUndefined()
    },
  )

  it('names the catalog as empty when there is none', async () => {
    const billing = new ApiBilling({ store: new MemoryUsageStore(), resolveClient: () => 'pro' })
    await expect(billing.tryTrackClientUsage('c')).rejects.toThrow(/no such plan \(it is empty\)/)
  })

  it('carries the validation error as the cause', async () => {
    const { billing } = setup({ c: [{ duration: 'day', creditLimit: -1 }] })
    const error = (await billing.tryTrackClientUsage('c').catch((e: unknown) => e)) as PlanResolutionError
    expect(error.cause).toBeInstanceOf(InvalidArgumentError)
  })
})
