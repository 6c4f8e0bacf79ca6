import { InvalidArgumentError } from '@x/api-billing-core'
import { Kysely, PostgresDialect } from 'kysely'
import { importDriver, initialised } from './open-store.js'
import { type ServerUsageStoreOptions, serverPoolSettings } from './server-store-options.js'
import { SqlUsageStore } from './sql-usage-store.js'

/**
 * Opens a `SqlUsageStore` on PostgreSQL from a `postgres://` URL: a `pg` pool of
 * {@link ServerUsageStoreOptions.poolSize} connections whose dropped connections are reported instead of
 * crashing the process (pg emits them as unhandled `'error'` events otherwise), and the schema migrated.
 * The store owns the pool: `close()` ends it. The tables go to the first schema of the connection's
 * `search_path` (add `?options=-c%20search_path%3Dbilling` to the URL for another one).
 * @throws InvalidArgumentError for a URL that is not `postgres://` or `postgresql://`;
 * StoreUnavailableError when `pg` is not installed or the database cannot be reached.
 */
export async function createPostgresUsageStore(
  url: string,
  options: ServerUsageStoreOptions = {},
): Promise<SqlUsageStore> {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new InvalidArgumentError('url', 'expected a "postgres://" or "postgresql://" connection string')
  }
  const { size, onError } = serverPoolSettings(options)
  const pg = (await importDriver('pg', () => import('pg'), 'createPostgresUsageStore')).default
  const pool = new pg.Pool({ connectionString: url, max: size })
  pool.on('error', onError)
  pool.on('connect', (client) => client.on('error', onError))
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  const store = new SqlUsageStore({
    db,
    dialect: 'postgres',
    ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix }),
    ...(options.batching === undefined ? {} : { batching: options.batching }),
  })
  return initialised(store)
}
