import { InvalidArgumentError } from '@x/api-billing-core'
import { type Kysely, MysqlAdapter, PostgresAdapter, SqliteAdapter } from 'kysely'

/** The SQL engines {@link SqlUsageStore} speaks: SQLite, PostgreSQL, and MySQL or MariaDB (`'mysql'`). */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql'

/**
 * Tells the dialect of a Kysely instance from its adapter (`SqliteAdapter`, `PostgresAdapter`,
 * `MysqlAdapter`, or a subclass of one). Throws `InvalidArgumentError` for any other adapter: pass
 * `dialect` explicitly then.
 */
export function detectSqlDialect(db: Pick<Kysely<unknown>, 'getExecutor'>): SqlDialect {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof SqliteAdapter) return 'sqlite'
  if (adapter instanceof PostgresAdapter) return 'postgres'
  if (adapter instanceof MysqlAdapter) return 'mysql'
  throw new InvalidArgumentError(
    'options.dialect',
    `cannot tell the SQL dialect from the Kysely adapter ${adapter.constructor.name}; pass dialect: 'sqlite' | 'postgres' | 'mysql'`,
  )
}
