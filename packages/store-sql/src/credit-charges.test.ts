import { describe, expect, it } from '@jest/globals'
import {
  type ChargeResult,
  type StoredGrant,
  StoreUnavailableError,
  type StoreWindow,
  type UsageStore,
} from '@x/api-billing-core'
import { sql } from 'kysely'
import type { SqlUsageStore } from './sql-usage-store.js'
import { killConnection, lockWaiters } from './test-support/blocked-connections.js'
import { eventually } from './test-support/eventually.js'
import {
  createTestTarget,
  openKysely,
  openTestStore,
  type TestEngine,
} from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const HOUR = 3_600_000
const minute = (limit: number): StoreWindow => ({ duration: 'minute', start: T0, end: T0 + 60_000, limit })
const day = (limit: number): StoreWindow => ({
  duration: 'day',
  start: T0 - 12 * HOUR,
  end: T0 + 12 * HOUR,
  limit,
})
const prepaid = (w: StoreWindow): StoreWindow => ({ ...w, overflow: 'balance' })
const grant = (id: string, credits: number): StoredGrant => ({
  id,
  credits,
  remaining: credits,
  effectiveAt: T0 - HOUR,
  expiresAt: undefined,
  grantedAt: T0 - HOUR,
  note: undefined,
})

async function ledgerSums(store: UsageStore, clientId: string) {
  const buckets = await store.readUsage({ clientId, from: T0 - HOUR, to: T0 + HOUR })
  return buckets.reduce(
    (sum, b) => ({
      credits: sum.credits + b.credits,
      fromBalance: sum.fromBalance + b.fromBalance,
      overage: sum.overage + b.overage,
    }),
    { credits: 0, fromBalance: 0, overage: 0 },
  )
}

const engines: TestEngine[] = ['sqlite', 'postgres', 'mysql']

describe.each(engines.flatMap((engine) => [true, false].map((batching) => [engine, batching] as const)))(
  'credit charges beside plain charges on one client (%s, batching %s)',
  (engine, batching) => {
    it('serializes them on the counter: every charge told its own count, overflow paid exactly past the limit', async () => {
      const { target, cleanup } = await createTestTarget(engine)
      const store = await openTestStore(target, { batching })
      try {
        await store.grantCredits({ clientId: 'c', grant: grant('g', 15) })
        const plain = { clientId: 'c', windows: [minute(10)], cost: 1, at: T0 }
        const credit = { ...plain, windows: [prepaid(minute(10))] }
        const results = await Promise.all(
          Array.from({ length: 60 }, (_, i) => store.charge(i % 3 === 0 ? plain : credit)),
        )
        const allowed = results.filter((r) => r.allowed)
        // Each allowed charge saw its own count: the counts are exactly 1..n.
        expect(allowed.map((r) => r.used[0]).sort((a, b) => (a as number) - (b as number))).toEqual(
          allowed.map((_, i) => i + 1),
        )
        for (const [i, r] of results.entries()) {
          if (i % 3 === 0) expect(r.allowed ? (r.used[0] as number) <= 10 : true).toBe(true)
          else if (r.allowed) expect(r.credit?.fromBalance).toBe((r.used[0] as number) > 10 ? 1 : 0)
          else expect(r.credit?.rejectedBy).toBe('balance')
        }
        expect(allowed.length).toBe(25)
        expect(await store.status('c', [minute(10)])).toEqual([25])
        expect(await store.listGrants('c', T0)).toEqual([])
        expect(await ledgerSums(store, 'c')).toEqual({ credits: 25, fromBalance: 15, overage: 0 })
      } finally {
        await store.close()
        await cleanup()
      }
    })
  },
)

describe.each(engines)('credit charges from several stores on one client (%s)', (engine) => {
  it('lock windows given in opposite orders without a user-visible deadlock and spend exactly the balance', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const stores: SqlUsageStore[] = []
    for (let i = 0; i < 3; i++) stores.push(await openTestStore(target))
    try {
      await stores[0]?.grantCredits({ clientId: 'c', grant: grant('g1', 20) })
      await stores[0]?.grantCredits({ clientId: 'c', grant: grant('g2', 20) })
      const orders = [
        [prepaid(minute(0)), prepaid(day(0))],
        [prepaid(day(0)), prepaid(minute(0))],
      ]
      const results: ChargeResult[] = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (stores[i % 3] as SqlUsageStore).charge({
            clientId: 'c',
            windows: orders[i % 2] as StoreWindow[],
            cost: 1,
            at: T0,
          }),
        ),
      )
      const allowed = results.filter((r) => r.allowed)
      expect(allowed.length).toBe(40)
      expect(new Set(allowed.map((r) => r.credit?.balance)).size).toBe(40)
      expect(await stores[1]?.status('c', [minute(0), day(0)])).toEqual([40, 40])
      expect(await stores[2]?.listGrants('c', T0)).toEqual([])
      expect(await ledgerSums(stores[0] as SqlUsageStore, 'c')).toEqual({
        credits: 40,
        fromBalance: 40,
        overage: 0,
      })
    } finally {
      await Promise.all(stores.map((s) => s.close()))
      await cleanup()
    }
  })
})

describe.each<TestEngine>(['postgres', 'mysql'])(
  '%s connection killed in the middle of a credit charge',
  (engine) => {
    it('rejects it with StoreUnavailableError after it spent a grant, and leaves grants, windows and ledger as before', async () => {
      const { target, cleanup } = await createTestTarget(engine)
      const store = await openTestStore(target)
      const admin = await openKysely(target)
      const windows = [prepaid(minute(1))]
      const charge = () => store.charge({ clientId: 'c', windows, cost: 3, at: T0 })
      try {
        await store.grantCredits({ clientId: 'c', grant: grant('g', 10) })
        expect((await charge()).credit?.fromBalance).toBe(2)
        const outcome = await admin.transaction().execute(async (trx) => {
          // Hold the ledger bucket: the charge locks its counter, spends the grant, then waits here.
          await sql`select credits from api_billing_ledger where client_id = ${'c'} for update`.execute(trx)
          const pending = charge().then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          )
          const waiting = await Promise.race([
            eventually(async () => {
              const ids = await lockWaiters(target, 'api_billing_ledger')
              return ids.length > 0 ? ids : undefined
            }, 10_000),
            pending.then((settled) => {
              throw new Error(`the charge did not wait for the lock: ${JSON.stringify(settled)}`)
            }),
          ])
          await killConnection(target, waiting[0] as number)
          return pending
        })
        expect('error' in outcome && outcome.error).toBeInstanceOf(StoreUnavailableError)
        const check = await openTestStore(target)
        expect(await check.status('c', [minute(1)])).toEqual([3])
        expect(await check.listGrants('c', T0)).toEqual([{ ...grant('g', 10), remaining: 8 }])
        expect(await ledgerSums(check, 'c')).toEqual({ credits: 3, fromBalance: 2, overage: 0 })
        expect((await check.charge({ clientId: 'c', windows, cost: 3, at: T0 })).credit?.spent).toEqual([
          { grantId: 'g', credits: 3 },
        ])
        await check.close()
      } finally {
        await store.close()
        await admin.destroy()
        await cleanup()
      }
    })
  },
)
