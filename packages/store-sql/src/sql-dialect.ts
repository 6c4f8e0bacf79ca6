import { InvalidArgumentError } from '@x/api-billing-core'
import type { Kysely } from 'kysely'

/** The SQL engines {@link SqlUsageStore} speaks: SQLite, PostgreSQL, and MySQL or MariaDB (`'mysql'`). */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql'

/** Kysely's built-in adapter classes, by the name they carry in every build of Kysely. */
const ADAPTER_DIALECTS: Readonly<Record<string, SqlDialect>> = {
  SqliteAdapter: 'sqlite',
  PostgresAdapter: 'postgres',
  MysqlAdapter: 'mysql',
}

/**
 * Tells the dialect of a Kysely instance from its adapter: `SqliteAdapter`, `PostgresAdapter`,
 * `MysqlAdapter`, or a subclass of one, recognised by the class names along its prototype chain rather
 * than by `instanceof`, so an instance made by another copy of Kysely (its CommonJS build through
 * `require('kysely')`, or a second copy in `node_modules`) is recognised too. Throws
 * `InvalidArgumentError` for any other adapter: pass `dialect` explicitly then.
 */
export function detectSqlDialect(db: Pick<Kysely<unknown>, 'getExecutor'>): SqlDialect {
  const adapter: object = db.getExecutor().adapter
  for (let proto = Object.getPrototypeOf(adapter); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const name: unknown = Object.hasOwn(proto, 'constructor') ? proto.constructor?.name : undefined
    const dialect =
      typeof name === 'string' && Object.hasOwn(ADAPTER_DIALECTS, name) ? ADAPTER_DIALECTS[name] : undefined
    if (dialect !== undefined) return dialect
  }
  throw new InvalidArgumentError(
    'options.dialect',
    `cannot tell the SQL dialect from the Kysely adapter ${adapter.constructor.name}; pass dialect: 'sqlite' | 'postgres' | 'mysql'`,
  )
}
