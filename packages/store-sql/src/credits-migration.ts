import { type Kysely, type Migration, sql } from 'kysely'
import type { SqlDialect } from './sql-dialect.js'

/**
 * The `0006_credits` migration of the store with table prefix `prefix`, an upgrade in place of an
 * existing database (nothing is copied or rewritten but what is listed):
 *
 * - creates `<prefix>grants` — `client_id`, `id`, `credits`, `remaining`, `effective_at`, `expires_at`
 *   (null: never), `granted_at`, `note` (null: none), `idem_key` (null: none; unique per client),
 *   `voided` (0 or 1, default 0) — keyed by `(client_id, id)`, with an index on `expires_at` for purges;
 * - adds `from_balance` and `overage` (`bigint`, default 0) to `<prefix>ledger`, so every existing bucket
 *   reads 0 for both;
 * - adds `credit` (JSON text, null for charges without overflow windows) to `<prefix>idempotency_keys`,
 *   the credit outcome a replay answers;
 * - on Postgres, gives `<prefix>ledger.client_id` the `"C"` collation, so its primary key orders client
 *   ids byte-wise and serves `scanUsage` pages (MySQL keys ids as `varbinary`, SQLite compares text
 *   byte-wise: both already do).
 *
 * Client ids and keys use the type of the other tables (`varbinary(1024)` on MySQL, else `text`).
 */
export function creditsMigration(dialect: SqlDialect, prefix: string): Migration {
  const id = dialect === 'mysql' ? 'varbinary(1024)' : 'text'
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable(`${prefix}grants`)
        .ifNotExists()
        .addColumn('client_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('credits', 'bigint', (c) => c.notNull())
        .addColumn('remaining', 'bigint', (c) => c.notNull())
        .addColumn('effective_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('granted_at', 'bigint', (c) => c.notNull())
        .addColumn('note', dialect === 'mysql' ? sql`text character set utf8mb4` : 'text')
        .addColumn('idem_key', id)
        .addColumn('voided', 'smallint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint(`${prefix}grants_pk`, ['client_id', 'id'])
        .execute()
      await db.schema
        .createIndex(`${prefix}grants_idem`)
        .on(`${prefix}grants`)
        .columns(['client_id', 'idem_key'])
        .unique()
        .execute()
      await db.schema
        .createIndex(`${prefix}grants_expiry`)
        .on(`${prefix}grants`)
        .column('expires_at')
        .execute()
      for (const column of ['from_balance', 'overage']) {
        await db.schema
          .alterTable(`${prefix}ledger`)
          .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
          .execute()
      }
      await db.schema.alterTable(`${prefix}idempotency_keys`).addColumn('credit', 'text').execute()
      if (dialect === 'postgres') {
        await sql`alter table ${sql.table(`${prefix}ledger`)} alter column client_id type text collate "C"`.execute(
          db,
        )
      }
    },
  }
}
