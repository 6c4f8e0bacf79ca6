import { SqlUsageStore } from '@x/api-billing-store-sql'
import { Kysely, MysqlDialect } from 'kysely'
import { createPool, type Pool } from 'mysql2'
import { createConnection } from 'mysql2/promise'
import { RateLimiterMySQL } from 'rate-limiter-flexible'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import { mysqlConfig, uniqueName } from '../server-urls.js'
import { SQL_LOADS } from '../sql-loads.js'
import { LIMIT, ourContestant, peerContestant, readyLimiter } from '../workload.js'

const POOL_SIZE = 10

async function admin(statement: string): Promise<void> {
  const connection = await createConnection({ ...mysqlConfig(), connectTimeout: 3000 })
  try {
    await connection.query(statement)
  } finally {
    await connection.end()
  }
}

const pool = (database: string): Pool =>
  createPool({ ...mysqlConfig(database), connectionLimit: POOL_SIZE, connectTimeout: 5000 })

/**
 * MariaDB/MySQL, a fresh database per scenario and a pool of 10 per contestant: `SqlUsageStore`, with
 * batching (the default) and without, against `RateLimiterMySQL`, at each of {@link SQL_LOADS}. Throws (the suite is then skipped) when the server is not reachable.
 */
export async function mariadbScenarios(config: BenchConfig): Promise<Scenario[]> {
  await admin('select 1')
  return SQL_LOADS.map(({ windows, concurrency, operation, name }) => {
    const database = uniqueName('bench')
    const created = admin(`create database ${database}`)
    const drop = () => admin(`drop database if exists ${database}`)
    let peerPool: Pool | undefined
    return {
      suite: 'mariadb',
      name,
      contestants: [
        ...[true, false].map((batching) =>
          ourContestant(
            `ApiBilling + SqlUsageStore (MariaDB${batching ? '' : ', batching off'})`,
            windows,
            async () => {
              await created
              const db = new Kysely({ dialect: new MysqlDialect({ pool: pool(database) }) })
              const store = new SqlUsageStore({ db, batching })
              await store.init()
              return store
            },
            undefined,
            { operation },
          ),
        ),
        peerContestant(
          windows === 1 ? 'RateLimiterMySQL' : 'RateLimiterUnion(RateLimiterMySQL ×3)',
          windows,
          async (duration, keyPrefix) => {
            await created
            peerPool ??= pool(database)
            const storeClient = peerPool
            return readyLimiter(
              (ready) =>
                new RateLimiterMySQL(
                  {
                    storeClient,
                    storeType: 'pool',
                    dbName: database,
                    tableName: keyPrefix,
                    points: LIMIT,
                    duration,
                    keyPrefix,
                    clearExpiredByTimeout: false,
                  },
                  ready,
                ),
            )
          },
          async () => {
            await new Promise<void>((done) => (peerPool ? peerPool.end(() => done()) : done()))
            await drop()
          },
          operation,
        ),
      ],
      measure: { durationMs: config.ioRunMs, concurrency, sampleEvery: 1 },
      warmupMs: config.ioRunMs / 2,
    }
  })
}
