import { describe, expect, it } from '@jest/globals'
import type { ChargeRequest, StoreWindow, UsageStore } from '@x/api-billing-core'
import fc from 'fast-check'
import { sql } from 'kysely'
import { SqlUsageStore } from './sql-usage-store.js'
import {
  createTestTarget,
  openKysely,
  openTestStore,
  type TestEngine,
} from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const MINUTE = 60_000

/** The windows the generated charges pick from: two minutes, an hour and an unlimited day. */
const WINDOWS: readonly Omit<StoreWindow, 'limit'>[] = [
  { duration: 'minute', start: T0, end: T0 + MINUTE },
  { duration: 'minute', start: T0 + MINUTE, end: T0 + 2 * MINUTE },
  { duration: 'hour', start: T0, end: T0 + 60 * MINUTE },
  { duration: 'day', start: T0, end: T0 + 1440 * MINUTE },
]

/** A generated charge: small limits and costs so that windows fill up, keys that repeat and expire. */
const chargeArbitrary = fc.record({
  client: fc.constantFrom('a', 'b', 'c'),
  cost: fc.integer({ min: 0, max: 4 }),
  // Each window at most once per charge, as the engine sends them (one definition per period).
  windows: fc.uniqueArray(
    fc.record({ window: fc.integer({ min: 0, max: 3 }), limit: fc.integer({ min: 0, max: 9 }) }),
    { maxLength: 3, selector: (w) => w.window },
  ),
  minutesLater: fc.integer({ min: 0, max: 40 }),
  key: fc.option(
    fc.record({ key: fc.constantFrom('k1', 'k2'), ttl: fc.constantFrom(-MINUTE, 0, 1, 30 * MINUTE) }),
    { nil: undefined },
  ),
})
type GeneratedCharge = typeof chargeArbitrary extends fc.Arbitrary<infer T> ? T : never

function chargeRequest(namespace: string, charge: GeneratedCharge): ChargeRequest {
  const at = T0 + charge.minutesLater * MINUTE
  return {
    clientId: `${namespace}-${charge.client}`,
    windows: charge.windows.map(({ window, limit }) => {
      const w = WINDOWS[window] as Omit<StoreWindow, 'limit'>
      return { ...w, limit: w.duration === 'day' ? Number.POSITIVE_INFINITY : limit }
    }),
    cost: charge.cost,
    at,
    ...(charge.key && { idempotency: { key: charge.key.key, expiresAt: at + charge.key.ttl } }),
  }
}

async function everything(store: UsageStore, clientId: string): Promise<unknown> {
  const windows = WINDOWS.map((w) => ({ ...w, limit: Number.POSITIVE_INFINITY }))
  const ledger = await store.readUsage({ clientId, from: T0 - MINUTE, to: T0 + 1440 * MINUTE })
  return { counters: await store.status(clientId, windows), ledger }
}

/** A store whose Kysely counts the calls of `<prefix>charge_many` and `<prefix>charge` it runs (or fails). */
async function countingStore(engine: TestEngine) {
  const { target, cleanup } = await createTestTarget(engine)
  const calls = { chargeMany: 0, charge: 0 }
  const db = await openKysely(target, undefined, (event) => {
    if (/charge_many/.test(event.query.sql)) calls.chargeMany++
    else if (/charge\W/.test(event.query.sql)) calls.charge++
  })
  const store = new SqlUsageStore({ db })
  await store.init()
  calls.chargeMany = 0
  calls.charge = 0
  return { store, calls, target, cleanup }
}

const minute = (limit: number): StoreWindow => ({ ...(WINDOWS[0] as Omit<StoreWindow, 'limit'>), limit })

describe.each<TestEngine>(['sqlite', 'postgres', 'mysql'])('%s: charges that arrive together', (engine) => {
  it('are answered exactly as the same charges one after the other in arrival order (generated batches)', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const oneByOne = await openTestStore(target, { tablePrefix: 'one_', batching: false })
    const together = await openTestStore(target, { tablePrefix: 'batch_' })
    let run = 0
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(chargeArbitrary, { minLength: 2, maxLength: 8 }), { maxLength: 3 }),
          async (batches) => {
            const namespace = `r${run++}`
            for (const batch of batches) {
              const requests = batch.map((charge) => chargeRequest(namespace, charge))
              const expected = []
              for (const request of requests) expected.push(await oneByOne.charge(request))
              expect(await Promise.all(requests.map((request) => together.charge(request)))).toEqual(expected)
            }
            for (const client of ['a', 'b', 'c']) {
              const clientId = `${namespace}-${client}`
              expect(await everything(together, clientId)).toEqual(await everything(oneByOne, clientId))
            }
          },
        ),
        { numRuns: 40, seed: 20_261_202 },
      )
    } finally {
      await Promise.all([oneByOne.close(), together.close()])
      await cleanup()
    }
  }, 60_000)

  it('grants exactly up to the limit to one client charged many times near it in one batch', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const store = await openTestStore(target)
    try {
      await store.charge({ clientId: 'c', windows: [minute(10)], cost: 7, at: T0 })
      const costs = [2, 2, 1, 1, 1, 3, 1]
      const results = await Promise.all(
        costs.map((cost) => store.charge({ clientId: 'c', windows: [minute(10)], cost, at: T0 })),
      )
      expect(results.map((r) => [r.allowed, r.used[0]])).toEqual([
        [true, 9],
        [false, 9],
        [true, 10],
        [false, 10],
        [false, 10],
        [false, 10],
        [false, 10],
      ])
      expect(await store.status('c', [minute(10)])).toEqual([10])
      expect(await store.readUsage({ clientId: 'c', from: T0, to: T0 + MINUTE })).toEqual([
        { start: T0, credits: 10, fromBalance: 0, overage: 0 },
      ])
    } finally {
      await store.close()
      await cleanup()
    }
  })
  it('replays what an earlier item of the key left, not the answer it replaced, when the clock went back in between', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const store = await openTestStore(target)
    try {
      const keyed = (at: number, expiresAt: number) => ({
        clientId: 'c',
        windows: [minute(10)],
        cost: 1,
        at,
        idempotency: { key: 'k', expiresAt },
      })
      expect(await store.charge(keyed(T0, T0 + 10 * MINUTE))).toMatchObject({ used: [1], replayed: false })
      // The stored answer has expired at the first item's instant (charged again, answer [2] until
      // T0 + 21 min) but not at the second's, 15 minutes earlier: that one replays [2], as one by one.
      const results = await Promise.all([
        store.charge(keyed(T0 + 20 * MINUTE, T0 + 21 * MINUTE)),
        store.charge(keyed(T0 + 5 * MINUTE, T0 + 15 * MINUTE)),
      ])
      expect(results).toEqual([
        { allowed: true, used: [2], replayed: false },
        { allowed: true, used: [2], replayed: true },
      ])
      expect(await store.status('c', [minute(10)])).toEqual([2])
    } finally {
      await store.close()
      await cleanup()
    }
  })
  it('passes the answer of a key through its rejected items to a later item whose clock went back', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const store = await openTestStore(target)
    try {
      const keyed = (clientId: string, limit: number, at: number, expiresAt: number) => ({
        clientId,
        windows: [minute(limit)],
        cost: 1,
        at,
        idempotency: { key: 'k', expiresAt },
      })
      const first = [keyed('c', 2, T0, T0 + 10 * MINUTE), keyed('d', 1, T0, T0 + 10 * MINUTE)]
      for (const request of first) expect(await store.charge(request)).toMatchObject({ used: [1] })
      const results = await Promise.all([
        // c: charged again ([2] until T0 + 21 min), then rejected (full), then the answer of the first.
        store.charge(keyed('c', 2, T0 + 20 * MINUTE, T0 + 21 * MINUTE)),
        store.charge(keyed('c', 2, T0 + 30 * MINUTE, T0 + 31 * MINUTE)),
        store.charge(keyed('c', 2, T0 + 5 * MINUTE, T0 + 6 * MINUTE)),
        // d: rejected (full) once the stored answer expired; that answer still holds 15 minutes earlier.
        store.charge(keyed('d', 1, T0 + 20 * MINUTE, T0 + 21 * MINUTE)),
        store.charge(keyed('d', 1, T0 + 5 * MINUTE, T0 + 6 * MINUTE)),
      ])
      expect(results).toEqual([
        { allowed: true, used: [2], replayed: false },
        { allowed: false, used: [2], replayed: false },
        { allowed: true, used: [2], replayed: true },
        { allowed: false, used: [1], replayed: false },
        { allowed: true, used: [1], replayed: true },
      ])
      expect(await store.status('c', [minute(2)])).toEqual([2])
      expect(await store.status('d', [minute(1)])).toEqual([1])
    } finally {
      await store.close()
      await cleanup()
    }
  })
})

describe.each<TestEngine>(['postgres', 'mysql'])('%s batch calls', (engine) => {
  it('sends charges of one event-loop turn as one call, and a lone charge as a single charge', async () => {
    const { store, calls, cleanup } = await countingStore(engine)
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.charge({ clientId: `c${i % 7}`, windows: [minute(2)], cost: 1, at: T0 }),
        ),
      )
      expect(results.filter((r) => r.allowed)).toHaveLength(14)
      expect(calls).toEqual({ chargeMany: 1, charge: 0 })
      await store.charge({ clientId: 'alone', windows: [minute(2)], cost: 1, at: T0 })
      expect(calls).toEqual({ chargeMany: 1, charge: 1 })
    } finally {
      await store.close()
      await cleanup()
    }
  })

  it('charges two items with one key once and replays the first answer to the second, in one call', async () => {
    const { store, calls, cleanup } = await countingStore(engine)
    try {
      const keyed = {
        clientId: 'c',
        windows: [minute(10)],
        at: T0,
        idempotency: { key: 'k', expiresAt: T0 + MINUTE },
      }
      const [first, second, other] = await Promise.all([
        store.charge({ ...keyed, cost: 3 }),
        store.charge({ ...keyed, cost: 3 }),
        store.charge({ clientId: 'c', windows: [minute(10)], cost: 1, at: T0 }),
      ])
      expect(calls.chargeMany).toBe(1)
      expect(first).toEqual({ allowed: true, used: [3], replayed: false })
      expect(second).toEqual({ allowed: true, used: [3], replayed: true })
      expect(other).toEqual({ allowed: true, used: [4], replayed: false })
      expect(await store.charge({ ...keyed, cost: 3 })).toEqual({ allowed: true, used: [3], replayed: true })
      expect(await store.status('c', [minute(10)])).toEqual([4])
    } finally {
      await store.close()
      await cleanup()
    }
  })

  it('rejects every caller of a batch that fails with StoreUnavailableError, and applies none of it', async () => {
    const { target, store, calls, cleanup } = await countingStore(engine)
    const admin = await openKysely(target)
    try {
      for (const statement of failingLedgerTrigger(engine)) await sql.raw(statement).execute(admin)
      const outcomes = await Promise.allSettled(
        ['a', 'boom', 'b'].map((clientId) =>
          store.charge({ clientId, windows: [minute(10)], cost: 1, at: T0 }),
        ),
      )
      expect(calls.chargeMany).toBe(1)
      for (const outcome of outcomes) {
        expect(outcome.status === 'rejected' && outcome.reason.name).toBe('StoreUnavailableError')
      }
      for (const clientId of ['a', 'b']) {
        expect(await store.status(clientId, [minute(10)])).toEqual([0])
        expect(await store.readUsage({ clientId, from: T0, to: T0 + MINUTE })).toEqual([])
      }
    } finally {
      await store.close()
      await admin.destroy()
      await cleanup()
    }
  })
})

/** A trigger that makes every ledger write of client `boom` fail, as a full disk would. */
function failingLedgerTrigger(engine: TestEngine): string[] {
  if (engine === 'postgres') {
    return [
      `create function fail_boom() returns trigger language plpgsql as $$
       begin if new.client_id = 'boom' then raise exception 'disk on fire'; end if; return new; end $$`,
      'create trigger fail_boom before insert on api_billing_ledger for each row execute function fail_boom()',
    ]
  }
  return [
    `create trigger fail_boom before insert on api_billing_ledger for each row
     begin if new.client_id = 'boom' then signal sqlstate '45000' set message_text = 'disk on fire'; end if; end`,
  ]
}
