import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { ApiBilling } from './api-billing.js'
import type { Decision } from './decision.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { UnknownClientError } from './errors/unknown-client-error.js'
import { MemoryUsageStore } from './memory-usage-store.js'
import type { QuotaDefinition } from './quota-definition.js'
import { ManualClock } from './testing/manual-clock.js'

/**
 * Property-based fuzzing of the engine: random sequences of plan changes, charges, refunds, status
 * reads and clock moves, with valid and invalid inputs, checked against a reference model of fixed UTC
 * windows. Only the documented typed errors may be thrown, a rejected call changes nothing, and
 * `used`/`remaining` always match the model and never exceed a limit.
 */

const START = Date.UTC(2026, 5, 15, 10, 0, 30)
const CLIENTS = ['a', 'b', 'c'] as const
/** Window lengths of the durations the model knows (UTC, anchored at a multiple of each). */
const LENGTH_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const
type ModelDuration = keyof typeof LENGTH_MS

type Action =
  | { kind: 'plan'; client: unknown; definitions: unknown }
  | { kind: 'track'; client: unknown; cost: unknown; key: unknown }
  | { kind: 'refund'; pick: number; credits: unknown }
  | { kind: 'status'; client: unknown }
  | { kind: 'clock'; ms: number }

const validDefinition = fc.record({
  duration: fc.constantFrom<ModelDuration>('second', 'minute', 'hour', 'day'),
  creditLimit: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(Number.MAX_SAFE_INTEGER)),
})
const validPlan = fc.uniqueArray(validDefinition, { minLength: 1, maxLength: 3, selector: (d) => d.duration })
const invalidDefinition = fc.oneof(
  fc.record({ duration: fc.constant('fortnight'), creditLimit: fc.constant(5) }),
  fc.record({
    duration: fc.constant('minute'),
    creditLimit: fc.constantFrom(-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, '10', null),
  }),
  fc.record({
    duration: fc.constant('day'),
    creditLimit: fc.constant(5),
    startDate: fc.constant(new Date(Number.NaN)),
  }),
  fc.record({
    duration: fc.constant('day'),
    creditLimit: fc.constant(5),
    timeZone: fc.constantFrom('Mars/Olympus', '', 42),
  }),
  fc.constantFrom(null, 'minute', 7),
)
const invalidPlan = fc.oneof(
  fc.constant([]),
  fc.constantFrom(null, undefined, 'plan', { duration: 'minute' }),
  validPlan.chain((plan) => invalidDefinition.map((bad) => [...plan, bad])),
  validDefinition.map((d) => [d, { ...d }]),
)
const clientId = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<unknown>(...CLIENTS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('unknown-client', '', null, undefined, 42, {}, ['a']) },
)
const cost = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 60,
      Number.MAX_SAFE_INTEGER,
      1e15,
      '3',
      null,
      true,
      {},
    ),
  },
)
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('plan' as const),
      client: clientId,
      definitions: fc.oneof(validPlan, invalidPlan),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('track' as const),
      client: clientId,
      cost,
      key: fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>('', 5, null) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(),
      credits: fc.oneof(
        fc.constant(undefined),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom<unknown>(-1, 0.5, Number.NaN),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('status' as const), client: clientId }) },
  {
    weight: 2,
    // Mostly forward (up to two hours); sometimes back by under a second (a lagging instance), so no
    // window older than the previous one is touched again (the memory store keeps two per duration).
    arbitrary: fc.record({
      kind: fc.constant('clock' as const),
      ms: fc.integer({ min: -999, max: 7_200_000 }),
    }),
  },
)

/** The reference: counters keyed by client, duration and window start; plans as last set. */
class Model {
  readonly plans = new Map<string, { duration: ModelDuration; limit: number }[]>()
  readonly used = new Map<string, number>()
  readonly refunded = new Set<Decision>()

  windowsOf(client: string, at: number) {
    return (this.plans.get(client) ?? []).map((q) => {
      const length = LENGTH_MS[q.duration]
      const start = Math.floor(at / length) * length
      const key = `${client}|${q.duration}|${start}`
      return { ...q, start, key, used: this.used.get(key) ?? 0 }
    })
  }
}

const ORDER: ModelDuration[] = ['second', 'minute', 'hour', 'day']

function expectTypedError(
  error: unknown,
  ...types: (typeof InvalidArgumentError | typeof UnknownClientError)[]
) {
  if (!types.some((type) => error instanceof type)) throw error
}

function expectMatchesModel(decision: Decision, windows: ReturnType<Model['windowsOf']>): void {
  expect(decision.windows.map((w) => [w.duration, w.start.getTime(), w.used, w.limit])).toEqual(
    windows.map((w) => [w.duration, w.start, w.used, w.limit]),
  )
  for (const w of decision.windows) {
    // A charge never takes a window over its limit; a plan lowered below the usage already counted can
    // leave a window over it, and then every charge is rejected.
    if (decision.allowed) expect(w.used).toBeLessThanOrEqual(w.limit)
    expect(w.remaining).toBe(Math.max(0, w.limit - w.used))
  }
  expect(decision.remaining).toBe(Math.min(...decision.windows.map((w) => w.remaining)))
}

async function play(actions: Action[]): Promise<void> {
  const clock = new ManualClock(new Date(START))
  let now = START
  let latest = START
  const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: clock.now })
  const model = new Model()
  const decisions: Decision[] = []

  for (const step of actions) {
    switch (step.kind) {
      case 'clock': {
        now = step.ms < 0 ? Math.max(START, latest + step.ms) : latest + step.ms
        latest = Math.max(latest, now)
        clock.set(new Date(now))
        break
      }
      case 'plan': {
        const before = billing.getClientQuotas(step.client as string)
        try {
          await billing.updateClientQuotas(step.client as string, step.definitions as QuotaDefinition[])
        } catch (error) {
          expectTypedError(error, InvalidArgumentError)
          expect(billing.getClientQuotas(step.client as string)).toBe(before)
          break
        }
        const plan = (step.definitions as { duration: ModelDuration; creditLimit: number }[])
          .map((d) => ({ duration: d.duration, limit: d.creditLimit }))
          .sort((x, y) => ORDER.indexOf(x.duration) - ORDER.indexOf(y.duration))
        model.plans.set(step.client as string, plan)
        break
      }
      case 'track': {
        const options = step.key === undefined ? undefined : { idempotencyKey: step.key as string }
        const client = step.client as string
        let decision: Decision
        try {
          decision = await billing.tryTrackClientUsage(client, step.cost as number, options)
        } catch (error) {
          expectTypedError(error, InvalidArgumentError, UnknownClientError)
          const validCost = typeof step.cost === 'number' && Number.isSafeInteger(step.cost) && step.cost >= 0
          if (error instanceof UnknownClientError) expect(model.plans.has(client)).toBe(false)
          else
            expect(validCost && typeof client === 'string' && client !== '' && step.key === undefined).toBe(
              false,
            )
          break
        }
        const credits = step.cost as number
        const windows = model.windowsOf(client, now)
        const fits = windows.every((w) => credits <= w.limit - w.used)
        expect(decision.allowed).toBe(fits)
        if (fits) {
          for (const w of windows) {
            w.used += credits
            model.used.set(w.key, w.used)
          }
        }
        expectMatchesModel(decision, windows)
        decisions.push(decision)
        break
      }
      case 'refund': {
        const decision = decisions[step.pick % Math.max(1, decisions.length)]
        if (decision === undefined) break
        const options = step.credits === undefined ? {} : { credits: step.credits as number }
        let refunded: boolean
        try {
          refunded = await billing.refund(decision, options)
        } catch (error) {
          expectTypedError(error, InvalidArgumentError)
          break
        }
        const credits = step.credits === undefined ? decision.cost : (step.credits as number)
        const expected =
          decision.allowed && decision.chargeId !== undefined && credits > 0 && !model.refunded.has(decision)
        expect(refunded).toBe(expected)
        if (!expected) break
        model.refunded.add(decision)
        for (const w of decision.windows) {
          const key = `${decision.clientId}|${w.duration}|${w.start.getTime()}`
          model.used.set(key, Math.max(0, (model.used.get(key) ?? 0) - credits))
        }
        break
      }
      case 'status': {
        const client = step.client as string
        let decision: Decision
        try {
          decision = await billing.getQuotaStatus(client)
        } catch (error) {
          expectTypedError(error, InvalidArgumentError, UnknownClientError)
          expect(model.plans.has(client) && typeof client === 'string').toBe(false)
          break
        }
        const windows = model.windowsOf(client, now)
        expectMatchesModel(decision, windows)
        expect(decision.allowed).toBe(windows.every((w) => w.used + 1 <= w.limit))
        break
      }
    }
  }
}

describe('ApiBilling under random calls (fast-check)', () => {
  it('throws only typed errors, changes nothing on rejected input, and matches a reference model', async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { maxLength: 60 }), play), {
      numRuns: 1_000,
      interruptAfterTimeLimit: 20_000,
    })
  })

  it('rejects invalid dates and time zones of daily reports with InvalidArgumentError only', async () => {
    const billing = new ApiBilling({
      store: new MemoryUsageStore(),
      clock: new ManualClock(new Date(START)).now,
    })
    const date = fc.oneof(
      fc.date({ min: new Date(START - 86_400_000 * 30), max: new Date(START), noInvalidDate: true }),
      fc.constantFrom<unknown>(new Date(Number.NaN), '2026-01-01', 0, null),
    )
    const zone = fc.oneof(
      fc.constantFrom('UTC', 'Asia/Kathmandu', 'Europe/Berlin'),
      fc.string({ maxLength: 12 }),
    )
    await fc.assert(
      fc.asyncProperty(date, date, zone, async (from, to, timeZone) => {
        try {
          const days = await billing.getDailyUsage('a', from as Date, to as Date, { timeZone })
          expect(days.every((d) => d.credits === 0)).toBe(true)
        } catch (error) {
          expectTypedError(error, InvalidArgumentError)
        }
      }),
      { numRuns: 300, interruptAfterTimeLimit: 10_000 },
    )
  })
})
