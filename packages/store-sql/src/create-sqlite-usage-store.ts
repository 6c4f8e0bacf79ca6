import { InvalidArgumentError, StoreUnavailableError } from '@x/api-billing-core'
import { Kysely, SqliteDialect } from 'kysely'
import { importDriver, initialised } from './open-store.js'
import { SqlUsageStore, type SqlUsageStoreOptions } from './sql-usage-store.js'

/** Options of {@link createSqliteUsageStore}. */
export interface SqliteUsageStoreOptions extends Pick<SqlUsageStoreOptions, 'tablePrefix' | 'batching'> {
  /**
   * SQLite's `synchronous` pragma. `'NORMAL'` (default): with WAL, a committed charge survives a crash
   * or kill of the process, but the last commits may be lost if the machine loses power. `'FULL'`:
   * each commit is synced to disk before the charge is answered, surviving power loss too, at the cost
   * of one fsync per transaction (shared by every charge of a group commit).
   */
  readonly synchronous?: 'NORMAL' | 'FULL'
  /** How long a writer waits for another process's write lock before failing, in ms. Default 5000. */
  readonly busyTimeoutMs?: number
}

/**
 * The embedded default in one line: opens (or creates) the SQLite file at `path` — or `':memory:'` —
 * with better-sqlite3, WAL journaling, `synchronous=NORMAL`, a 5 s `busy_timeout` and a 64 MiB WAL size
 * limit, creates or upgrades the tables, and returns the ready store. Several processes may open the
 * same file; they share one exact count. Requires the `better-sqlite3` package.
 *
 * @example
 * const store = await createSqliteUsageStore('./usage.db')
 * const billing = new ApiBilling({ store })
 */
export async function createSqliteUsageStore(
  path: string,
  options: SqliteUsageStoreOptions = {},
): Promise<SqlUsageStore> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError('path', "expected a file path or ':memory:'")
  }
  const synchronous = options.synchronous ?? 'NORMAL'
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
    throw new InvalidArgumentError('options.synchronous', `expected 'NORMAL' or 'FULL', got ${synchronous}`)
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidArgumentError(
      'options.busyTimeoutMs',
      `expected a non-negative integer, got ${busyTimeoutMs}`,
    )
  }
  const Database = (
    await importDriver('better-sqlite3', () => import('better-sqlite3'), 'createSqliteUsageStore')
  ).default
  let database: import('better-sqlite3').Database
  try {
    database = new Database(path)
    database.pragma(`busy_timeout = ${busyTimeoutMs}`)
    database.pragma('journal_mode = WAL')
    database.pragma(`synchronous = ${synchronous}`)
    database.pragma('journal_size_limit = 67108864')
  } catch (error) {
    throw new StoreUnavailableError(
      `could not open the SQLite database ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) })
  const store = new SqlUsageStore({ ...options, db, dialect: 'sqlite', sqliteDatabase: database })
  return initialised(store)
}
