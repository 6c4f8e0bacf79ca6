/**
 * The slice of a better-sqlite3 prepared statement that {@link SqlUsageStore} uses. Declared here,
 * Kysely-style, so the package needs no type package of the driver.
 */
export interface SqliteStatementHandle {
  /** Runs the statement and returns every row. */
  all(...parameters: unknown[]): unknown[]
  /** Runs a statement that returns no rows; `changes` is the number of rows written. */
  run(...parameters: unknown[]): { readonly changes: number | bigint }
}

/**
 * The slice of a better-sqlite3 `Database` that {@link SqlUsageStore} uses when given one as
 * `sqliteDatabase`: it prepares each statement once and runs it synchronously, skipping Kysely's
 * per-call preparation. `createSqliteUsageStore` opens one for you.
 */
export interface SqliteDatabaseHandle {
  /** Compiles `sql` into a statement that can be run many times. */
  prepare(sql: string): SqliteStatementHandle
  /** `true` while a transaction is open on this connection. */
  readonly inTransaction: boolean
}
