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

/**
 * Thrown inside a Kysely transaction callback to roll it back on purpose (a rejected charge, a
 * replayed key) while handing a result out; caught by {@link transactionOrRollback}.
 */
export class Rollback<T> {
  constructor(readonly result: T) {}
}

/** Runs `work` in a transaction on `db`; resolves with the value of a {@link Rollback} it threw. */
export async function transactionOrRollback<T>(
  db: Kysely<unknown>,
  work: (trx: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction().execute(work)
  } catch (error) {
    if (error instanceof Rollback) return error.result as T
    throw error
  }
}
