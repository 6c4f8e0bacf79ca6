import {
  type ChargeRequest,
  type ChargeResult,
  type DeleteUsageRequest,
  isWholeClientDelete,
  type LedgerBucket,
  ledgerBucketStart,
  type PurgeRequest,
  type RefundRequest,
  type StoreWindow,
  type UsageRange,
} from '@x/api-billing-core'
import type { Kysely } from 'kysely'
import { mysqlBatchProcedureName } from '../mysql-batch-procedure.js'
import { mysqlProcedureNames } from '../mysql-procedures.js'
import { retryOnConflict } from '../retry-on-conflict.js'
import type { TableNames } from '../table-names.js'
import { lockOrder } from '../window-order.js'
import { batchedCalls } from './batched-calls.js'
import type { BatcherSettings } from './batcher.js'
import { chargeBatch } from './charge-batch.js'
import { CreditOperations } from './credit-operations.js'
import { creditStatements } from './credit-statements.js'
import { batchAnswers, mysqlBatchArguments } from './mysql-batch-payload.js'
import { ledgerBucketOf, num, type Row, rawQuery } from './raw-query.js'
import { serverCreditSessions } from './server-credit-sessions.js'
import type { SqlEngine } from './sql-engine.js'
import { type StatusRead, usedFromRows } from './status-reads.js'

/**
 * MySQL and MariaDB (InnoDB): every charge and refund is one `CALL` of a stored procedure that
 * migrations create — `<prefix>charge_many` for a batch of charges (the default), `<prefix>charge` for
 * one charge when batching is off, `<prefix>refund` — which runs its own short transaction on the
 * server. The algorithms are described once, beside their SQL, in `mysql-procedures.ts` and
 * `mysql-batch-procedure.ts`. Deadlocks are run again ({@link retryOnConflict}).
 */
export class MysqlEngine implements SqlEngine {
  readonly credits: CreditOperations
  private readonly sql: ReturnType<typeof mysqlStatements>
  /** The status select for `n` windows in all, by `n`. */
  private readonly statusByWindowCount = new Map<number, string>()
  private readonly chargeRequest: (request: ChargeRequest) => Promise<ChargeResult>
  private readonly statusRead: (read: StatusRead) => Promise<readonly number[]>

  /**
   * `batching`: how charges are gathered into `<prefix>charge_many` calls, and status reads into one
   * select; `undefined`: one call each.
   */
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly tables: TableNames,
    prefix: string,
    batching: BatcherSettings | undefined,
  ) {
    this.sql = mysqlStatements(tables, prefix)
    this.credits = new CreditOperations(serverCreditSessions(db, 'mysql'), creditStatements('mysql', tables))
    this.chargeRequest = batchedCalls(batching, {
      one: (request) => this.chargeOne(request),
      many: (requests) => this.chargeMany(requests),
      // The batch procedure keeps an answer in a varchar(4096) of a MEMORY table: enough for 200 windows.
      batchable: (request) => request.windows.length <= MAX_BATCHED_WINDOWS,
    })
    this.statusRead = batchedCalls(batching, {
      one: async (read) => (await this.statusMany([read]))[0] as number[],
      many: (reads) => this.statusMany(reads),
    })
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.chargeRequest(request)
  }

  private async chargeOne(request: ChargeRequest): Promise<ChargeResult> {
    const { windows } = request
    const [row] = await retryOnConflict(() =>
      callProcedure(this.db, this.sql.charge, [
        request.clientId,
        JSON.stringify(windows.map((w) => [w.duration, w.start, w.end, procedureLimit(w.limit)])),
        JSON.stringify(lockOrder(windows)),
        request.cost,
        ledgerBucketStart(request.at),
        request.idempotency?.key ?? null,
        request.idempotency?.expiresAt ?? null,
        request.at,
      ]),
    )
    return chargeResult(row as Row)
  }

  /** Charges a whole batch in one `CALL <prefix>charge_many(…)`: one round trip, one transaction. */
  private async chargeMany(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    const batch = chargeBatch(requests, procedureLimit)
    const { items, windows, counters } = mysqlBatchArguments(batch)
    const [itemRows, counterRows] = await retryOnConflict(() =>
      callProcedureResults(this.db, this.sql.chargeMany, [items, windows, counters]),
    )
    return batchAnswers(batch, {
      states: (itemRows ?? []).map((row) => num(row.state)),
      answers: (itemRows ?? []).map((row) => (row.answer == null ? null : String(row.answer))),
      counters: (counterRows ?? []).map((row) => num(row.used)),
    })
  }

  /** The status select for `n` windows (of one client or several), built once per `n`. */
  private statusFor(n: number): string {
    let found = this.statusByWindowCount.get(n)
    if (found === undefined) {
      const match = Array.from({ length: n }, () => '(client_id = ? and duration = ? and window_start = ?)')
      found = `select client_id, duration, window_start, used from ${this.tables.counters} where ${match.join(' or ')}`
      this.statusByWindowCount.set(n, found)
    }
    return found
  }

  status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    return this.statusRead({ clientId, windows })
  }

  /** Status reads (one, or a batch) in one select by primary key (no transaction: nothing is written). */
  private async statusMany(reads: readonly StatusRead[]): Promise<number[][]> {
    const parameters: unknown[] = []
    for (const { clientId, windows } of reads)
      for (const w of windows) parameters.push(clientId, w.duration, w.start)
    if (parameters.length === 0) return reads.map(() => [])
    const { rows } = await rawQuery(this.db, this.statusFor(parameters.length / 3), parameters)
    return usedFromRows(reads, rows)
  }

  /** A refund without `restore` or `overage` (the store sends those to {@link credits}): one procedure call. */
  async refund(request: RefundRequest): Promise<boolean> {
    const { windows } = request
    const [row] = await retryOnConflict(() =>
      callProcedure(this.db, this.sql.refund, [
        request.clientId,
        JSON.stringify(lockOrder(windows).map((i) => [windows[i]?.duration, windows[i]?.start])),
        request.refundKey,
        request.refundKeyExpiresAt,
        request.credits,
        ledgerBucketStart(request.at),
        request.idempotencyKey ?? null,
      ]),
    )
    return num((row as Row).applied) === 1
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    const { rows } = await rawQuery(this.db, this.sql.readUsage, [range.clientId, range.from, range.to])
    return rows.map(ledgerBucketOf)
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    const { clientId } = request
    await this.db.transaction().execute(async (trx) => {
      if (isWholeClientDelete(request)) {
        for (const statement of this.sql.deleteAll) await rawQuery(trx, statement, [clientId])
      } else {
        const range = [clientId, request.from, request.to]
        for (const statement of this.sql.deleteRange) await rawQuery(trx, statement, range)
      }
    })
  }

  async purge(request: PurgeRequest): Promise<void> {
    const { before, now } = request
    await rawQuery(this.db, this.sql.purgeLedger, [before])
    await rawQuery(this.db, this.sql.purgeCounters, [before])
    await rawQuery(this.db, this.sql.purgeIdempotencyKeys, [now])
    await rawQuery(this.db, this.sql.purgeRefundKeys, [now])
    await rawQuery(this.db, this.sql.purgeGrants, [before])
  }

  async drain(): Promise<void> {}
}

/** The most windows a charge may have to go through `<prefix>charge_many`; more go one by one. */
const MAX_BATCHED_WINDOWS = 200

/**
 * A window limit as the charge procedure compares it: `null` for unlimited (never compared), otherwise
 * the whole credits that fit, at most 2^53 — the largest count the store keeps exact — so that a limit
 * of 2^53 or more lets a counter reach 2^53, as a comparison in JavaScript numbers does.
 */
function procedureLimit(limit: number): number | null {
  return limit === Number.POSITIVE_INFINITY ? null : Math.min(Math.floor(limit), 2 ** 53)
}

/** A charge's answer from a row of `allowed`, `replayed` (0 or 1) and `used_json`. */
function chargeResult(row: Row): ChargeResult {
  return {
    allowed: num(row.allowed) === 1,
    used: (JSON.parse(String(row.used_json)) as unknown[]).map(num),
    replayed: num(row.replayed) === 1,
  }
}

/**
 * Calls a procedure and answers the result sets it selected, each an array of rows. mysql2 answers a
 * `CALL` with an array of results — each result set the procedure selected, then the `CALL`'s own OK
 * packet — which Kysely's `MysqlDialect` hands over as the rows.
 */
async function callProcedureResults(
  db: Kysely<unknown>,
  call: string,
  parameters: readonly unknown[],
): Promise<Row[][]> {
  const { rows } = await rawQuery(db, call, parameters)
  const results = (rows as unknown[]).filter((result): result is Row[] => Array.isArray(result))
  if (results.length === 0) throw new Error(`unexpected answer to ${call.split('(')[0]}`)
  return results
}

/** The rows of the one result set a procedure selected. */
async function callProcedure(
  db: Kysely<unknown>,
  call: string,
  parameters: readonly unknown[],
): Promise<Row[]> {
  return (await callProcedureResults(db, call, parameters))[0] as Row[]
}

/** The MySQL statements whose text does not depend on the number of windows, written once per table prefix. */
function mysqlStatements(t: TableNames, prefix: string) {
  const { counters: C, ledger: L, idempotencyKeys: K, refundKeys: R } = t
  const P = mysqlProcedureNames(prefix)
  return {
    // client, windows JSON, lock order JSON, cost, ledger bucket, idempotency key (null = none), key
    // expiry, the instant of the charge.
    charge: `call ${P.charge}(?, ?, ?, ?, ?, ?, ?, ?)`,
    // items JSON, windows JSON, counters JSON (see mysql-batch-procedure.ts).
    chargeMany: `call ${mysqlBatchProcedureName(prefix)}(?, ?, ?)`,
    // client, windows JSON (lock order), refund key, its expiry, credits, ledger bucket, the idempotency
    // key of the refunded charge (null = none), forgotten with the refund.
    refund: `call ${P.refund}(?, ?, ?, ?, ?, ?, ?)`,
    readUsage: `select bucket_start, credits, from_balance, overage from ${L} where client_id = ? and bucket_start >= ? and bucket_start < ? and credits > 0 order by bucket_start`,
    deleteAll: [C, L, K, R].map((table) => `delete from ${table} where client_id = ?`),
    deleteRange: [
      `delete from ${C} where client_id = ? and window_start >= ? and window_start < ?`,
      `delete from ${L} where client_id = ? and bucket_start >= ? and bucket_start < ?`,
    ],
    purgeLedger: `delete from ${L} where bucket_start < ?`,
    purgeCounters: `delete from ${C} where window_end <= ?`,
    purgeIdempotencyKeys: `delete from ${K} where expires_at <= ?`,
    purgeRefundKeys: `delete from ${R} where expires_at <= ?`,
    purgeGrants: `delete from ${t.grants} where expires_at <= ?`,
  } as const
}
