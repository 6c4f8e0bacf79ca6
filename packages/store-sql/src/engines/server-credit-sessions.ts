import type { Kysely } from 'kysely'
import { retryOnConflict } from '../retry-on-conflict.js'
import type { CreditSessions } from './credit-operations.js'
import { rawQuery } from './raw-query.js'
import { kyselyRunner } from './sql-runner.js'

/**
 * {@link CreditSessions} on Postgres or MySQL/MariaDB: a transaction is an interactive one on one pool
 * connection (`begin` or `start transaction`, the work's statements, then `commit` or `rollback`),
 * run again whole when it loses a deadlock or serialization race ({@link retryOnConflict}); a failure
 * rolls it back, so nothing of it is applied. Plain statements run on the pool, each its own transaction.
 */
export function serverCreditSessions(db: Kysely<unknown>, dialect: 'postgres' | 'mysql'): CreditSessions {
  const begin = dialect === 'mysql' ? 'start transaction' : 'begin'
  return {
    transaction: (work) =>
      retryOnConflict(() =>
        db.connection().execute(async (connection) => {
          await rawQuery(connection, begin, [])
          try {
            const { value, commit } = await work(kyselyRunner(connection))
            await rawQuery(connection, commit ? 'commit' : 'rollback', [])
            return value
          } catch (error) {
            await rawQuery(connection, 'rollback', []).catch(() => undefined)
            throw error
          }
        }),
      ),
    statements: (_write, work) => work(kyselyRunner(db)),
  }
}
