import type { Kysely } from 'kysely'
import { type Row, rawQuery } from './raw-query.js'

/**
 * Runs SQL texts with positional parameters on one place: a SQLite session inside its transaction, a
 * server connection inside an interactive transaction, or a pool (each statement its own transaction).
 */
export interface SqlRunner {
  /** Rows of a `select` (or of a statement with `returning`). */
  all(sql: string, parameters: readonly unknown[]): Promise<Row[]>
  /** Runs a write; resolves with the number of rows it changed. */
  run(sql: string, parameters: readonly unknown[]): Promise<number>
}

/** A {@link SqlRunner} on a Kysely instance, connection or transaction (precompiled queries). */
export function kyselyRunner(db: Kysely<unknown>): SqlRunner {
  return {
    async all(sql, parameters) {
      return (await rawQuery(db, sql, parameters)).rows
    },
    async run(sql, parameters) {
      return Number((await rawQuery(db, sql, parameters)).numAffectedRows ?? 0n)
    },
  }
}
