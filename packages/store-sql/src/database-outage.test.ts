import { describe, expect, it } from '@jest/globals'
import { StoreUnavailableError, type StoreWindow, type UsageStore } from '@x/api-billing-core'
import { Kysely, MysqlDialect, PostgresDialect, sql } from 'kysely'
import { createPool } from 'mysql2'
import pg from 'pg'
import { SqlUsageStore } from './sql-usage-store.js'
import { killConnection, lockWaiters } from './test-support/blocked-connections.js'
import { eventually } from './test-support/eventually.js'
import {
  createTestTarget,
  mysqlAdmin,
  mysqlAdminRows,
  openKysely,
  openTestStore,
  postgresAdmin,
  type TestEngine,
  type TestTarget,
} from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const day: StoreWindow = { duration: 'day', start: T0, end: T0 + 86_400_000, limit: Number.POSITIVE_INFINITY }
const charge = (store: UsageStore) => store.charge({ clientId: 'c', windows: [day], cost: 1, at: T0 })

async function ledgerTotal(store: UsageStore): Promise<number> {
  const buckets = await store.readUsage({
    clientId: 'c',
    from: Number.MIN_SAFE_INTEGER,
    to: Number.MAX_SAFE_INTEGER,
  })
  return buckets.reduce((sum, b) => sum + b.credits, 0)
}

describe('a database that is not there', () => {
  // Port 9 (discard) has no database listening: every connection attempt is refused.
  const stores = {
    postgres: () =>
      new SqlUsageStore({
        db: new Kysely({
          dialect: new PostgresDialect({
            pool: new pg.Pool({
              host: '127.0.0.1',
              port: 9,
              user: 'x',
              database: 'x',
              connectionTimeoutMillis: 2000,
            }),
          }),
        }),
      }),
    mysql: () =>
      new SqlUsageStore({
        db: new Kysely({
          dialect: new MysqlDialect({
            pool: createPool({ host: '127.0.0.1', port: 9, connectTimeout: 2000 }),
          }),
        }),
      }),
  }

  it.each(Object.keys(stores) as (keyof typeof stores)[])(
    'makes %s init and charge reject with StoreUnavailableError carrying the driver error',
    async (engine) => {
      const store = stores[engine]()
      const init = await store.init().catch((error: unknown) => error)
      expect(init).toBeInstanceOf(StoreUnavailableError)
      expect((init as StoreUnavailableError).cause).toBeDefined()
      await expect(charge(store)).rejects.toBeInstanceOf(StoreUnavailableError)
      await store.close()
      await expect(charge(store)).rejects.toThrow(/closed/)
    },
  )
})

/** Ends every server connection of the store on `target` from a separate admin connection; how many. */
async function terminateConnections(target: TestTarget): Promise<number> {
  if (target.engine === 'postgres') {
    const { rows } = await postgresAdmin(
      'select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1',
      [target.postgresSchema],
    )
    return rows.filter((r) => r.done === true).length
  }
  const ids = await mysqlAdminRows(
    `select id from information_schema.processlist where db = '${target.mysqlDatabase}' and id <> connection_id()`,
  )
  let killed = 0
  for (const { id } of ids) {
    await mysqlAdmin(`kill connection ${Number(id)}`).then(
      () => killed++,
      () => undefined, // already gone
    )
  }
  return killed
}

describe.each<TestEngine>(['postgres', 'mysql'])('%s connections terminated mid-use', (engine) => {
  it('answers every call with a result or StoreUnavailableError, loses no answered charge, and recovers by itself', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const store = await openTestStore(target)
    try {
      let succeeded = 0
      let terminations = 0
      const failures: unknown[] = []
      const terminate = async () => {
        terminations += await terminateConnections(target)
      }
      const loop = async () => {
        while (succeeded < 300) {
          try {
            await charge(store)
            succeeded++
            if (succeeded === 60 || succeeded === 140 || succeeded === 220) await terminate()
          } catch (error) {
            failures.push(error)
          }
        }
      }
      await Promise.all(Array.from({ length: 20 }, loop))

      expect(terminations).toBeGreaterThan(0)
      expect(failures.length).toBeGreaterThan(0)
      for (const failure of failures) expect(failure).toBeInstanceOf(StoreUnavailableError)
      expect(await charge(store)).toMatchObject({ allowed: true })
      const total = await ledgerTotal(store)
      expect(total).toBeGreaterThanOrEqual(succeeded + 1)
      expect(await store.status('c', [day])).toEqual([total])
    } finally {
      await store.close()
      await cleanup()
    }
  }, 30_000)
})

describe.each<TestEngine>(['postgres', 'mysql'])(
  '%s connection killed in the middle of a batch',
  (engine) => {
    it('rejects every caller of that batch with StoreUnavailableError and applies none of it', async () => {
      const { target, cleanup } = await createTestTarget(engine)
      const store = await openTestStore(target)
      const admin = await openKysely(target)
      const minute: StoreWindow = { duration: 'minute', start: T0, end: T0 + 60_000, limit: 10 }
      const clients = ['a', 'b', 'c']
      try {
        for (const clientId of clients) await store.charge({ clientId, windows: [minute], cost: 1, at: T0 })
        const outcomes = await admin.transaction().execute(async (trx) => {
          // Hold c's counter: the batch locks a and b (primary-key order), then waits here.
          await sql`select used from api_billing_counters where client_id = ${'c'} for update`.execute(trx)
          const batch = Promise.allSettled(
            clients.map((clientId) => store.charge({ clientId, windows: [minute], cost: 1, at: T0 })),
          )
          const waiting = await Promise.race([
            eventually(async () => {
              const ids = await lockWaiters(target, 'api_billing_counters')
              return ids.length > 0 ? ids : undefined
            }, 10_000),
            batch.then((settled) => {
              throw new Error(`the batch did not wait for the lock: ${JSON.stringify(settled)}`)
            }),
          ])
          await killConnection(target, waiting[0] as number)
          return batch
        })
        for (const outcome of outcomes) {
          expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(StoreUnavailableError)
        }
        // Read back through a new store: the old pool may hand out the killed connection once more.
        const check = await openTestStore(target)
        for (const clientId of clients) {
          expect(await check.status(clientId, [minute])).toEqual([1])
          expect(await check.readUsage({ clientId, from: T0, to: T0 + 60_000 })).toEqual([
            { start: T0, credits: 1, fromBalance: 0, overage: 0 },
          ])
        }
        await check.close()
      } finally {
        await store.close()
        await admin.destroy()
        await cleanup()
      }
    })
  },
)
