import type { LedgerBucket } from '@x/api-billing-core'
import { CompiledQuery, type Kysely, type QueryResult } from 'kysely'

/** A result row as drivers hand it over: column name to value (numbers may arrive as strings). */
export type Row = Record<string, unknown>

/**
 * Runs one SQL text with positional parameters on `db` (a pool, a connection or a transaction) as
 * a precompiled query: no query building per call, only the driver's own parameter binding.
 */
export function rawQuery(
  db: Kysely<unknown>,
  sql: string,
  parameters: readonly unknown[],
): Promise<QueryResult<Row>> {
  return db.executeQuery(CompiledQuery.raw(sql, parameters as unknown[]))
}

/** A driver value (number, numeric string or bigint) as a JavaScript number. */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value)
}

/** A ledger row (`bucket_start`, `credits`, `from_balance`, `overage`) as a {@link LedgerBucket}. */
export function ledgerBucketOf(row: Row): LedgerBucket {
  return {
    start: num(row.bucket_start),
    credits: num(row.credits),
    fromBalance: num(row.from_balance),
    overage: num(row.overage),
  }
}
