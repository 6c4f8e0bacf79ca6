import { SqlUsageStore } from '@x/api-billing-store-sql'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { RateLimiterPostgres } from 'rate-limiter-flexible'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import { postgresUrl, uniqueName } from '../server-urls.js'
import { SQL_LOADS } from '../sql-loads.js'
import { LIMIT, ourContestant, peerContestant, readyLimiter } from '../workload.js'

const POOL_SIZE = 10

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl(), connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

function pool(schema: string): pg.Pool {
  const p = new pg.Pool({
    connectionString: postgresUrl(),
    options: `-c search_path=${schema}`,
    max: POOL_SIZE,
    connectionTimeoutMillis: 5000,
  })
  p.on('error', () => undefined)
  return p
}

/**
 * Postgres, a fresh schema per scenario and a pool of 10 per contestant: `SqlUsageStore`, with batching
 * (the default) and without, against `RateLimiterPostgres`, at each of {@link SQL_LOADS}. Throws (the suite is then skipped) when the server is not reachable.
 */
export async function postgresScenarios(config: BenchConfig): Promise<Scenario[]> {
  await admin('select 1')
  return SQL_LOADS.map(({ windows, concurrency, operation, name }) => {
    const schema = uniqueName('bench')
    const created = admin(`create schema ${schema}`)
    const drop = () => admin(`drop schema if exists ${schema} cascade`)
    let peerPool: pg.Pool | undefined
    return {
      suite: 'postgres',
      name,
      contestants: [
        ...[true, false].map((batching) =>
          ourContestant(
            `ApiBilling + SqlUsageStore (Postgres${batching ? '' : ', batching off'})`,
            windows,
            async () => {
              await created
              const db = new Kysely({ dialect: new PostgresDialect({ pool: pool(schema) }) })
              const store = new SqlUsageStore({ db, batching })
              await store.init()
              return store
            },
            undefined,
            { operation },
          ),
        ),
        peerContestant(
          windows === 1 ? 'RateLimiterPostgres' : 'RateLimiterUnion(RateLimiterPostgres ×3)',
          windows,
          async (duration, keyPrefix) => {
            await created
            peerPool ??= pool(schema)
            const storeClient = peerPool
            return readyLimiter(
              (ready) =>
                new RateLimiterPostgres(
                  {
                    storeClient,
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
            await peerPool?.end()
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
