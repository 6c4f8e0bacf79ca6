import { InvalidArgumentError } from '@x/api-billing-core'
import { Kysely, MysqlDialect } from 'kysely'
import { importDriver, initialised } from './open-store.js'
import { type ServerUsageStoreOptions, serverPoolSettings } from './server-store-options.js'
import { SqlUsageStore } from './sql-usage-store.js'

/**
 * Opens a `SqlUsageStore` on MySQL or MariaDB from a `mysql://` URL: a `mysql2` pool of
 * {@link ServerUsageStoreOptions.poolSize} connections whose dropped connections are reported, and the schema migrated. The store owns the pool: `close()` ends it.
 * @throws InvalidArgumentError for a URL that is not `mysql://`; StoreUnavailableError when `mysql2` is
 * not installed or the database cannot be reached.
 */
export async function createMysqlUsageStore(
  url: string,
  options: ServerUsageStoreOptions = {},
): Promise<SqlUsageStore> {
  if (typeof url !== 'string' || !url.startsWith('mysql://')) {
    throw new InvalidArgumentError('url', 'expected a "mysql://" connection string')
  }
  const { size, onError } = serverPoolSettings(options)
  const mysql = await importDriver('mysql2', () => import('mysql2'), 'createMysqlUsageStore')
  const pool = mysql.createPool({ uri: url, connectionLimit: size })
  pool.on('connection', (connection) => connection.on('error', onError))
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) })
  const store = new SqlUsageStore({
    db,
    dialect: 'mysql',
    ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix }),
    ...(options.batching === undefined ? {} : { batching: options.batching }),
  })
  return initialised(store)
}
