import { type Kysely, type Migration, sql } from 'kysely'
import { creditsMigration } from './credits-migration.js'
import { mysqlBatchProcedureStatements } from './mysql-batch-procedure.js'
import { mysqlProcedureStatements } from './mysql-procedures.js'
import { postgresBatchFunctionStatement } from './postgres-batch-function.js'
import { postgresFunctionStatements } from './postgres-functions.js'
import type { SqlDialect } from './sql-dialect.js'

/** Name of the first schema version: window counters and the usage ledger. */
export const MIGRATION_COUNTERS_AND_LEDGER = '0001_counters_and_ledger'
/** Name of the second schema version: idempotency and refund keys, and the retention indexes. */
export const MIGRATION_KEYS_AND_RETENTION = '0002_keys_and_retention'
/**
 * Name of the third schema version: on Postgres, the server-side functions `<prefix>charge` and
 * `<prefix>refund` (PL/pgSQL, `create or replace`) that the store calls; a no-op on the other dialects.
 */
export const MIGRATION_POSTGRES_FUNCTIONS = '0003_postgres_functions'
/**
 * Name of the fourth schema version: on MySQL/MariaDB, the stored procedures `<prefix>charge` and
 * `<prefix>refund` (dropped if they exist, then created) that the store calls; a no-op on the other
 * dialects.
 */
export const MIGRATION_MYSQL_PROCEDURES = '0004_mysql_procedures'
/**
 * Name of the fifth schema version: the batch charge `<prefix>charge_many` (a PL/pgSQL function on
 * Postgres, a stored procedure on MySQL/MariaDB), with `<prefix>charge` and `<prefix>refund` created
 * again in their current form (the room check written as core's `hasRoom`; a refund forgets the
 * idempotency key before it locks counters, the lock order of every other function); a no-op on SQLite.
 */
export const MIGRATION_BATCHED_CHARGES = '0005_batched_charges'
/**
 * Name of the sixth schema version: prepaid credits — the `<prefix>grants` table, `from_balance` and
 * `overage` in the ledger, the credit outcome of a charge in its idempotency record, and on Postgres
 * the byte-wise (`"C"`) collation of the ledger's client ids for usage scans (see `creditsMigration`).
 */
export const MIGRATION_CREDITS = '0006_credits'
/**
 * Name of the seventh schema version: `<prefix>charge_many` created again in its current form, with the
 * same signature, so instances of the previous release keep working beside it; a no-op on SQLite.
 *
 * - Postgres: every statement planned once per session and reaching the tables through their primary
 *   keys only, one optimistic write of the counters for a batch (see `postgres-batch-function.ts`).
 * - MySQL/MariaDB: the procedure dropped if it exists and created again (see
 *   `mysql-batch-procedure.ts`): an item whose idempotency key an earlier item of the batch used replays
 *   the answer that item left — not the stored one it replaced — when the clock went back in between.
 */
export const MIGRATION_BATCH_CHARGES_V2 = '0007_batch_charges_v2'

/**
 * The versioned schema of a store, for Kysely's `Migrator`, keyed by name in the order they run.
 * Column types differ per dialect only where they must: MySQL keys client ids and keys as
 * `varbinary(1024)` so that they compare byte for byte (`'A' <> 'a'`, trailing spaces count), which
 * its default collations do not.
 */
export function usageStoreMigrations(dialect: SqlDialect, prefix: string): Record<string, Migration> {
  const id = dialect === 'mysql' ? 'varbinary(1024)' : 'text'
  return {
    [MIGRATION_COUNTERS_AND_LEDGER]: {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable(`${prefix}counters`)
          .ifNotExists()
          .addColumn('client_id', id, (c) => c.notNull())
          .addColumn('duration', 'varchar(16)', (c) => c.notNull())
          .addColumn('window_start', 'bigint', (c) => c.notNull())
          .addColumn('window_end', 'bigint', (c) => c.notNull())
          .addColumn('used', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${prefix}counters_pk`, ['client_id', 'duration', 'window_start'])
          .execute()
        await db.schema
          .createTable(`${prefix}ledger`)
          .ifNotExists()
          .addColumn('client_id', id, (c) => c.notNull())
          .addColumn('bucket_start', 'bigint', (c) => c.notNull())
          .addColumn('credits', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${prefix}ledger_pk`, ['client_id', 'bucket_start'])
          .execute()
      },
    },
    [MIGRATION_KEYS_AND_RETENTION]: {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable(`${prefix}idempotency_keys`)
          .ifNotExists()
          .addColumn('client_id', id, (c) => c.notNull())
          .addColumn('idem_key', id, (c) => c.notNull())
          .addColumn('used', 'text')
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${prefix}idempotency_keys_pk`, ['client_id', 'idem_key'])
          .execute()
        await db.schema
          .createTable(`${prefix}refund_keys`)
          .ifNotExists()
          .addColumn('client_id', id, (c) => c.notNull())
          .addColumn('refund_key', id, (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${prefix}refund_keys_pk`, ['client_id', 'refund_key'])
          .execute()
        const indexes: [string, string, string][] = [
          [`${prefix}counters_end`, `${prefix}counters`, 'window_end'],
          [`${prefix}ledger_start`, `${prefix}ledger`, 'bucket_start'],
          [`${prefix}idem_expiry`, `${prefix}idempotency_keys`, 'expires_at'],
          [`${prefix}refund_expiry`, `${prefix}refund_keys`, 'expires_at'],
        ]
        for (const [name, table, column] of indexes) {
          await db.schema.createIndex(name).on(table).column(column).execute()
        }
      },
    },
    [MIGRATION_POSTGRES_FUNCTIONS]: {
      async up(db: Kysely<unknown>): Promise<void> {
        if (dialect !== 'postgres') return
        for (const statement of postgresFunctionStatements(prefix)) await sql.raw(statement).execute(db)
      },
    },
    [MIGRATION_MYSQL_PROCEDURES]: {
      async up(db: Kysely<unknown>): Promise<void> {
        if (dialect !== 'mysql') return
        for (const statement of mysqlProcedureStatements(prefix)) await sql.raw(statement).execute(db)
      },
    },
    [MIGRATION_BATCHED_CHARGES]: {
      async up(db: Kysely<unknown>): Promise<void> {
        const statements =
          dialect === 'postgres'
            ? [...postgresFunctionStatements(prefix), postgresBatchFunctionStatement(prefix)]
            : dialect === 'mysql'
              ? [...mysqlProcedureStatements(prefix), ...mysqlBatchProcedureStatements(prefix)]
              : []
        for (const statement of statements) await sql.raw(statement).execute(db)
      },
    },
    [MIGRATION_CREDITS]: creditsMigration(dialect, prefix),
    [MIGRATION_BATCH_CHARGES_V2]: {
      async up(db: Kysely<unknown>): Promise<void> {
        const statements =
          dialect === 'postgres'
            ? [postgresBatchFunctionStatement(prefix)]
            : dialect === 'mysql'
              ? mysqlBatchProcedureStatements(prefix)
              : []
        for (const statement of statements) await sql.raw(statement).execute(db)
      },
    },
  }
}
