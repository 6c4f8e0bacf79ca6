import { describe, expect, it } from '@jest/globals'
import { StoreUnavailableError, type StoreWindow, type UsageStore } from '@x/api-billing-core'
import { Kysely, MysqlDialect, PostgresDialect } from 'kysely'
import { createPool } from 'mysql2'
import pg from 'pg'
import { SqlUsageStore } from './sql-usage-store.js'
import {
  createTestTarget,
  mysqlAdmin,
  mysqlAdminRows,
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
