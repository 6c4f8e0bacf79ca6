import {
  type ChargeRequest,
  type ChargeResult,
  type DeleteUsageRequest,
  hasRoom,
  isWholeClientDelete,
  type LedgerBucket,
  ledgerBucketStart,
  type PurgeRequest,
  type RefundRequest,
  type StoreWindow,
  type UsageRange,
} from '@x/api-billing-core'
import type { TableNames } from '../table-names.js'
import { CreditOperations, type CreditSessions } from './credit-operations.js'
import { creditStatements } from './credit-statements.js'
import { ledgerBucketOf, num } from './raw-query.js'
import type { SqlEngine } from './sql-engine.js'
import { SqliteGroupCommit, type SubmitOptions } from './sqlite-group-commit.js'
import type { SqliteSession } from './sqlite-session.js'

const WRITE: SubmitOptions = { write: true }
const READ: SubmitOptions = { write: false }

/**
 * SQLite: one writer at a time, so a charge simply reads its counters, checks them and writes them
 * inside `BEGIN IMMEDIATE` (which takes the write lock up front: another process waits for it through
 * `busy_timeout` instead of failing on a lock upgrade). Operations arriving in the same event-loop turn
 * share one transaction through {@link SqliteGroupCommit}.
 */
export class SqliteEngine implements SqlEngine {
  readonly credits: CreditOperations
  private readonly sql: ReturnType<typeof sqliteStatements>
  private readonly group: SqliteGroupCommit

  /** `maxBatchSize`: most operations that share one transaction (1: each its own). */
  constructor(session: SqliteSession, tables: TableNames, maxBatchSize: number) {
    this.sql = sqliteStatements(tables)
    this.group = new SqliteGroupCommit(session, maxBatchSize)
    this.credits = new CreditOperations(groupSessions(this.group), creditStatements('sqlite', tables))
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.group.submit(WRITE, async (s) => {
      const { clientId, windows, cost, idempotency } = request
      if (idempotency !== undefined) {
        const [seen] = await s.all(this.sql.readKey, [clientId, idempotency.key])
        if (seen !== undefined && num(seen.expires_at) > request.at) {
          return { allowed: true, used: JSON.parse(String(seen.used)) as number[], replayed: true }
        }
      }
      const used = await this.read(s, clientId, windows)
      if (!windows.every((w, i) => hasRoom(used[i] as number, cost, w.limit))) {
        return { allowed: false, used, replayed: false }
      }
      for (const w of windows)
        await s.run(this.sql.addToCounter, [clientId, w.duration, w.start, w.end, cost])
      await s.run(this.sql.addToLedger, [clientId, ledgerBucketStart(request.at), cost])
      const after = used.map((u) => u + cost)
      if (idempotency !== undefined) {
        await s.run(this.sql.storeKey, [
          clientId,
          idempotency.key,
          JSON.stringify(after),
          idempotency.expiresAt,
        ])
      }
      return { allowed: true, used: after, replayed: false }
    })
  }

  status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    return this.group.submit(READ, (s) => this.read(s, clientId, windows))
  }

  private async read(s: SqliteSession, clientId: string, windows: readonly StoreWindow[]): Promise<number[]> {
    const used: number[] = []
    for (const w of windows) {
      const [row] = await s.all(this.sql.readCounter, [clientId, w.duration, w.start])
      used.push(row === undefined ? 0 : num(row.used))
    }
    return used
  }

  /** Every refund takes the credit path (one job of the group commit): restores grants as asked. */
  refund(request: RefundRequest): Promise<boolean> {
    return this.credits.refund(request)
  }

  readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    return this.group.submit(READ, async (s) => {
      const rows = await s.all(this.sql.readUsage, [range.clientId, range.from, range.to])
      // Array.from rather than rows.map: better-sqlite3's arrays come from another realm under jest, and
      // map would hand back an array of that realm, which node:assert's deepStrictEqual tells apart.
      return Array.from(rows, ledgerBucketOf)
    })
  }

  deleteUsage(request: DeleteUsageRequest): Promise<void> {
    return this.group.submit(WRITE, async (s) => {
      if (isWholeClientDelete(request)) {
        for (const statement of this.sql.deleteAll) await s.run(statement, [request.clientId])
      } else {
        const range = [request.clientId, request.from, request.to]
        for (const statement of this.sql.deleteRange) await s.run(statement, range)
      }
    })
  }

  purge(request: PurgeRequest): Promise<void> {
    return this.group.submit(WRITE, async (s) => {
      await s.run(this.sql.purgeLedger, [request.before])
      await s.run(this.sql.purgeCounters, [request.before])
      await s.run(this.sql.purgeIdempotencyKeys, [request.now])
      await s.run(this.sql.purgeRefundKeys, [request.now])
      await s.run(this.sql.purgeGrants, [request.before])
    })
  }

  drain(): Promise<void> {
    return this.group.drain()
  }
}

/**
 * {@link CreditSessions} on the group commit: a credit transaction is one job of a write batch. Its
 * claim and locks are plain reads there (the batch holds the write lock), so work that decides not to
 * commit has written nothing, and the other jobs of its batch are not rolled back with it.
 */
function groupSessions(group: SqliteGroupCommit): CreditSessions {
  return {
    transaction: (work) => group.submit(WRITE, async (s) => (await work(s)).value),
    statements: (write, work) => group.submit(write ? WRITE : READ, work),
  }
}

/** Every statement of the SQLite engine, written once per table prefix. */
function sqliteStatements(t: TableNames) {
  const { counters: C, ledger: L, idempotencyKeys: K, refundKeys: R, grants: G } = t
  return {
    readKey: `select used, expires_at from ${K} where client_id = ? and idem_key = ?`,
    storeKey: `insert into ${K} (client_id, idem_key, used, expires_at) values (?, ?, ?, ?)
      on conflict (client_id, idem_key) do update set used = excluded.used, expires_at = excluded.expires_at`,
    readCounter: `select used from ${C} where client_id = ? and duration = ? and window_start = ?`,
    addToCounter: `insert into ${C} (client_id, duration, window_start, window_end, used) values (?, ?, ?, ?, ?)
      on conflict (client_id, duration, window_start) do update set used = used + excluded.used`,
    addToLedger: `insert into ${L} (client_id, bucket_start, credits) values (?, ?, ?)
      on conflict (client_id, bucket_start) do update set credits = credits + excluded.credits`,
    readUsage: `select bucket_start, credits, from_balance, overage from ${L}
      where client_id = ? and bucket_start >= ? and bucket_start < ? and credits > 0 order by bucket_start`,
    deleteAll: [C, L, K, R].map((table) => `delete from ${table} where client_id = ?`),
    deleteRange: [
      `delete from ${C} where client_id = ? and window_start >= ? and window_start < ?`,
      `delete from ${L} where client_id = ? and bucket_start >= ? and bucket_start < ?`,
    ],
    purgeLedger: `delete from ${L} where bucket_start < ?`,
    purgeCounters: `delete from ${C} where window_end <= ?`,
    purgeIdempotencyKeys: `delete from ${K} where expires_at <= ?`,
    purgeRefundKeys: `delete from ${R} where expires_at <= ?`,
    purgeGrants: `delete from ${G} where expires_at <= ?`,
  } as const
}
