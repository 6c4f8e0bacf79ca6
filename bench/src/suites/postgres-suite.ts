import { SqlUsageStore } from '@x/api-billing-store-sql'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { RateLimiterPostgres } from 'rate-limiter-flexible'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import { postgresUrl, uniqueName } from '../server-urls.js'
import {
  LIMIT,
  ourContestant,
  peerContestant,
  readyLimiter,
  scenarioName,
  type WindowCount,
} from '../workload.js'

const CONCURRENCY = 32
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
 * Postgres, a fresh schema per scenario and a pool of 10 per contestant: `SqlUsageStore` against
 * `RateLimiterPostgres`. Throws (the suite is then skipped) when the server is not reachable.
 */
export async function postgresScenarios(config: BenchConfig): Promise<Scenario[]> {
  await admin('select 1')
  return ([1, 3] as WindowCount[]).map((windows) => {
    const schema = uniqueName('bench')
    const created = admin(`create schema ${schema}`)
    const drop = () => admin(`drop schema if exists ${schema} cascade`)
    let peerPool: pg.Pool | undefined
    return {
      suite: 'postgres',
      name: scenarioName(windows),
      contestants: [
        ourContestant('ApiBilling + SqlUsageStore (Postgres)', windows, async () => {
          await created
          const store = new SqlUsageStore({
            db: new Kysely({ dialect: new PostgresDialect({ pool: pool(schema) }) }),
          })
          await store.init()
          return store
        }),
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
        ),
      ],
      measure: { durationMs: config.ioRunMs, concurrency: CONCURRENCY, sampleEvery: 1 },
      warmupMs: config.ioRunMs / 2,
    }
  })
}
