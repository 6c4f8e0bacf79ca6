import type { Kysely } from 'kysely'
import type { SqliteDatabaseHandle, SqliteStatementHandle } from '../sqlite-database-handle.js'
import { type Row, rawQuery } from './raw-query.js'

/** Where the SQLite engine runs its statements: one connection, inside a transaction it opened. */
export interface SqliteSession {
  /** Rows of a `select`. */
  all(sql: string, parameters: readonly unknown[]): Promise<Row[]>
  /** Runs a write; resolves with the number of rows changed. */
  run(sql: string, parameters: readonly unknown[]): Promise<number>
  /** Runs `work` inside `BEGIN IMMEDIATE` (writes) or `BEGIN` (reads), committing if it succeeds. */
  transaction(write: boolean, work: () => Promise<void>): Promise<void>
}

/**
 * A session on a better-sqlite3 handle: each SQL text is prepared once and cached, and runs
 * synchronously; the promises it returns are already settled.
 */
export function handleSession(handle: SqliteDatabaseHandle): SqliteSession {
  const prepared = new Map<string, SqliteStatementHandle>()
  const statement = (sql: string): SqliteStatementHandle => {
    let found = prepared.get(sql)
    if (found === undefined) {
      found = handle.prepare(sql)
      prepared.set(sql, found)
    }
    return found
  }
  const session: SqliteSession = {
    async all(sql, parameters) {
      return statement(sql).all(...parameters) as Row[]
    },
    async run(sql, parameters) {
      return Number(statement(sql).run(...parameters).changes)
    },
    async transaction(write, work) {
      statement(write ? 'begin immediate' : 'begin').run()
      try {
        await work()
        statement('commit').run()
      } catch (error) {
        if (handle.inTransaction) statement('rollback').run()
        throw error
      }
    },
  }
  return session
}

/**
 * A session through Kysely's SQLite driver, for a store given only a Kysely instance: the
 * transaction holds Kysely's single SQLite connection, so no other query interleaves with it.
 */
export function kyselySession(db: Kysely<unknown>): SqliteSession {
  let connection: Kysely<unknown> | undefined
  const current = (): Kysely<unknown> => {
    if (connection === undefined) throw new Error('SQLite statement outside of a transaction')
    return connection
  }
  return {
    async all(sql, parameters) {
      return (await rawQuery(current(), sql, parameters)).rows
    },
    async run(sql, parameters) {
      return Number((await rawQuery(current(), sql, parameters)).numAffectedRows ?? 0n)
    },
    async transaction(write, work) {
      await db.connection().execute(async (conn) => {
        connection = conn
        try {
          await rawQuery(conn, write ? 'begin immediate' : 'begin', [])
          try {
            await work()
            await rawQuery(conn, 'commit', [])
          } catch (error) {
            await rawQuery(conn, 'rollback', []).catch(() => undefined)
            throw error
          }
        } finally {
          connection = undefined
        }
      })
    },
  }
}
