import {
  type ChargeRequest,
  type ChargeResult,
  type DeleteUsageRequest,
  type LedgerBucket,
  ledgerBucketStart,
  type PurgeRequest,
  type RefundRequest,
  type StoreWindow,
  type UsageRange,
} from '@x/api-billing-core'
import type { Kysely } from 'kysely'
import { retryOnConflict } from '../retry-on-conflict.js'
import type { TableNames } from '../table-names.js'
import { hasRoom, lockOrder, windowKey } from '../window-order.js'
import { num, Rollback, type Row, rawQuery, transactionOrRollback } from './raw-query.js'
import type { SqlEngine } from './sql-engine.js'

/**
 * MySQL and MariaDB (InnoDB): a charge is one short transaction. It adds the cost to every window's
 * counter with one multi-row `INSERT … ON DUPLICATE KEY UPDATE` (rows in primary-key order, so the
 * exclusive row locks are always taken in one order and charges do not deadlock each other), reads
 * the counters back, and commits together with the ledger bucket only if every window stayed within
 * its limit; otherwise it rolls back, which leaves nothing changed. A keyed charge first inserts or
 * locks its idempotency key row, so a duplicate waits for the winner and replays its answer.
 * Deadlocks that still happen (gap locks of brand-new rows) are retried.
 */
export class MysqlEngine implements SqlEngine {
  private readonly sql: ReturnType<typeof mysqlStatements>
  private readonly perWindowCount = new Map<number, PerWindowCount>()

  constructor(
    private readonly db: Kysely<unknown>,
    private readonly tables: TableNames,
  ) {
    this.sql = mysqlStatements(tables)
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    return retryOnConflict(() =>
      transactionOrRollback(this.db, async (trx) => {
        const { clientId, windows, cost, idempotencyKey: key } = request
        const expiresAt = request.idempotencyExpiresAt ?? request.at
        if (key !== undefined) {
          await rawQuery(trx, this.sql.lockKey, [clientId, key, expiresAt])
          const { rows } = await rawQuery(trx, this.sql.readKey, [clientId, key])
          const row = rows[0] as Row
          if (row.used !== null && num(row.expires_at) > request.at) {
            throw new Rollback<ChargeResult>({
              allowed: true,
              used: JSON.parse(String(row.used)),
              replayed: true,
            })
          }
        }
        const used = await this.addToCounters(trx, clientId, windows, cost)
        if (!windows.every((w, i) => hasRoom((used[i] as number) - cost, cost, w.limit))) {
          throw new Rollback<ChargeResult>({
            allowed: false,
            used: used.map((u) => u - cost),
            replayed: false,
          })
        }
        await rawQuery(trx, this.sql.addToLedger, [clientId, ledgerBucketStart(request.at), cost])
        if (key !== undefined)
          await rawQuery(trx, this.sql.storeAnswer, [JSON.stringify(used), expiresAt, clientId, key])
        return { allowed: true, used, replayed: false }
      }),
    )
  }

  /** Adds `cost` to every window (creating counters as needed) and answers the new values in request order. */
  private async addToCounters(
    trx: Kysely<unknown>,
    clientId: string,
    windows: readonly StoreWindow[],
    cost: number,
  ): Promise<number[]> {
    if (windows.length === 0) return []
    const { upsert, select } = this.statementsFor(windows.length)
    const ordered = lockOrder(windows).map((i) => windows[i] as StoreWindow)
    await rawQuery(
      trx,
      upsert,
      ordered.flatMap((w) => [clientId, w.duration, w.start, w.end, cost]),
    )
    const { rows } = await rawQuery(trx, select, [clientId, ...ordered.flatMap((w) => [w.duration, w.start])])
    const byKey = new Map(rows.map((r) => [windowKey(String(r.duration), num(r.window_start)), num(r.used)]))
    return windows.map((w) => byKey.get(windowKey(w.duration, w.start)) ?? 0)
  }

  /** The counter statements for `n` windows, built once per window count. */
  private statementsFor(n: number): PerWindowCount {
    let found = this.perWindowCount.get(n)
    if (found === undefined) {
      const C = this.tables.counters
      const values = Array.from({ length: n }, () => '(?, ?, ?, ?, ?)').join(', ')
      const match = Array.from({ length: n }, () => '(duration = ? and window_start = ?)').join(' or ')
      found = {
        upsert: `insert into ${C} (client_id, duration, window_start, window_end, used) values ${values} on duplicate key update used = used + values(used)`,
        select: `select duration, window_start, used from ${C} where client_id = ? and (${match}) for update`,
        status: `select duration, window_start, used from ${C} where client_id = ? and (${match})`,
        refund: `update ${C} set used = greatest(0, used - ?) where client_id = ? and (${match}) order by duration, window_start`,
      }
      this.perWindowCount.set(n, found)
    }
    return found
  }

  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    if (windows.length === 0) return []
    const { rows } = await rawQuery(this.db, this.statementsFor(windows.length).status, [
      clientId,
      ...windows.flatMap((w) => [w.duration, w.start]),
    ])
    const byKey = new Map(rows.map((r) => [windowKey(String(r.duration), num(r.window_start)), num(r.used)]))
    return windows.map((w) => byKey.get(windowKey(w.duration, w.start)) ?? 0)
  }

  async refund(request: RefundRequest): Promise<boolean> {
    const { clientId, windows, credits } = request
    return retryOnConflict(() =>
      transactionOrRollback(this.db, async (trx) => {
        const inserted = await rawQuery(trx, this.sql.insertRefundKey, [
          clientId,
          request.refundKey,
          request.refundKeyExpiresAt,
        ])
        if (Number(inserted.numAffectedRows ?? 0n) === 0) throw new Rollback(false)
        if (request.idempotencyKey !== undefined) {
          await rawQuery(trx, this.sql.forgetKey, [clientId, request.idempotencyKey])
        }
        if (windows.length > 0) {
          const ordered = lockOrder(windows).map((i) => windows[i] as StoreWindow)
          await rawQuery(trx, this.statementsFor(windows.length).refund, [
            credits,
            clientId,
            ...ordered.flatMap((w) => [w.duration, w.start]),
          ])
        }
        await rawQuery(trx, this.sql.refundLedger, [credits, clientId, ledgerBucketStart(request.at)])
        return true
      }),
    )
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    const { rows } = await rawQuery(this.db, this.sql.readUsage, [range.clientId, range.from, range.to])
    return rows.map((r) => ({ start: num(r.bucket_start), credits: num(r.credits) }))
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    const { clientId } = request
    await transactionOrRollback(this.db, async (trx) => {
      if (request.from === undefined && request.to === undefined) {
        for (const statement of this.sql.deleteAll) await rawQuery(trx, statement, [clientId])
      } else {
        const from = request.from ?? Number.MIN_SAFE_INTEGER
        const to = request.to ?? Number.MAX_SAFE_INTEGER
        for (const statement of this.sql.deleteRange) await rawQuery(trx, statement, [clientId, from, to])
      }
    })
  }

  async purge(request: PurgeRequest): Promise<void> {
    const { before, now } = request
    await rawQuery(this.db, this.sql.purgeLedger, [before])
    await rawQuery(this.db, this.sql.purgeCounters, [before])
    await rawQuery(this.db, this.sql.purgeIdempotencyKeys, [now])
    await rawQuery(this.db, this.sql.purgeRefundKeys, [now])
  }

  async drain(): Promise<void> {}
}

/** The counter statements for one number of windows. */
interface PerWindowCount {
  readonly upsert: string
  readonly select: string
  readonly status: string
  readonly refund: string
}

/** The MySQL statements whose text does not depend on the number of windows. */
function mysqlStatements(t: TableNames) {
  const { counters: C, ledger: L, idempotencyKeys: K, refundKeys: R } = t
  return {
    lockKey: `insert into ${K} (client_id, idem_key, used, expires_at) values (?, ?, null, ?) on duplicate key update idem_key = idem_key`,
    readKey: `select used, expires_at from ${K} where client_id = ? and idem_key = ? for update`,
    forgetKey: `delete from ${K} where client_id = ? and idem_key = ?`,
    storeAnswer: `update ${K} set used = ?, expires_at = ? where client_id = ? and idem_key = ?`,
    addToLedger: `insert into ${L} (client_id, bucket_start, credits) values (?, ?, ?) on duplicate key update credits = credits + values(credits)`,
    insertRefundKey: `insert ignore into ${R} (client_id, refund_key, expires_at) values (?, ?, ?)`,
    refundLedger: `update ${L} set credits = greatest(0, credits - ?) where client_id = ? and bucket_start = ?`,
    readUsage: `select bucket_start, credits from ${L} where client_id = ? and bucket_start >= ? and bucket_start < ? and credits > 0 order by bucket_start`,
    deleteAll: [C, L, K, R].map((table) => `delete from ${table} where client_id = ?`),
    deleteRange: [
      `delete from ${C} where client_id = ? and window_start >= ? and window_start < ?`,
      `delete from ${L} where client_id = ? and bucket_start >= ? and bucket_start < ?`,
    ],
    purgeLedger: `delete from ${L} where bucket_start < ?`,
    purgeCounters: `delete from ${C} where window_end <= ?`,
    purgeIdempotencyKeys: `delete from ${K} where expires_at <= ?`,
    purgeRefundKeys: `delete from ${R} where expires_at <= ?`,
  } as const
}
