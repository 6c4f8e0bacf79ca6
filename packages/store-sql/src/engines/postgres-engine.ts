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
import { postgresFunctionNames } from '../postgres-functions.js'
import { retryOnConflict } from '../retry-on-conflict.js'
import { sqlLimit } from '../store-input.js'
import type { TableNames } from '../table-names.js'
import { batchedCalls } from './batched-calls.js'
import type { BatcherSettings } from './batcher.js'
import { chargeBatch } from './charge-batch.js'
import { CreditOperations } from './credit-operations.js'
import { creditStatements } from './credit-statements.js'
import { ledgerBucketOf, num, type Row, rawQuery } from './raw-query.js'
import { serverCreditSessions } from './server-credit-sessions.js'
import type { SqlEngine } from './sql-engine.js'
import { flatStatusWindows, type StatusRead, usedFromRows, usedPerRead } from './status-reads.js'

/**
 * Postgres: every charge and refund is one short `select` of a PL/pgSQL function that migrations create
 * — `<prefix>charge_many` for a batch of charges (the default), `<prefix>charge` for one charge when
 * batching is off, `<prefix>refund` — one round trip, atomic as one statement, planned once per session.
 * The algorithms are described once, beside their SQL, in `postgres-functions.ts` and
 * `postgres-batch-function.ts`. Deadlock and serialization failures are run again ({@link retryOnConflict}).
 */
export class PostgresEngine implements SqlEngine {
  readonly credits: CreditOperations
  private readonly sql: ReturnType<typeof postgresStatements>
  private readonly chargeRequest: (request: ChargeRequest) => Promise<ChargeResult>
  private readonly statusRead: (read: StatusRead) => Promise<readonly number[]>

  /**
   * `batching`: how charges are gathered into `<prefix>charge_many` calls, and status reads into one
   * select; `undefined`: one call each.
   */
  constructor(
    private readonly db: Kysely<unknown>,
    tables: TableNames,
    prefix: string,
    batching: BatcherSettings | undefined,
  ) {
    this.sql = postgresStatements(tables, prefix)
    this.credits = new CreditOperations(
      serverCreditSessions(db, 'postgres'),
      creditStatements('postgres', tables),
    )
    this.chargeRequest = batchedCalls(batching, {
      one: (request) => this.chargeOne(request),
      many: (requests) => this.chargeMany(requests),
    })
    this.statusRead = batchedCalls(batching, {
      one: (read) => this.statusOne(read),
      many: (reads) => this.statusMany(reads),
    })
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.chargeRequest(request)
  }

  private async chargeOne(request: ChargeRequest): Promise<ChargeResult> {
    const { rows } = await retryOnConflict(() =>
      rawQuery(this.db, this.sql.charge, [
        request.clientId,
        request.windows.map((w) => w.duration),
        request.windows.map((w) => w.start),
        request.windows.map((w) => w.end),
        request.windows.map((w) => sqlLimit(w.limit)),
        request.cost,
        ledgerBucketStart(request.at),
        request.idempotency?.key ?? null,
        request.idempotency?.expiresAt ?? null,
        request.at,
      ]),
    )
    const row = rows[0] as Row
    return {
      allowed: row.allowed === true,
      used: (JSON.parse(String(row.used_json)) as unknown[]).map(num),
      replayed: row.replayed === true,
    }
  }

  /** Charges a whole batch in one call of `<prefix>charge_many`: one round trip, one transaction. */
  private async chargeMany(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    const b = chargeBatch(requests, sqlLimit)
    const { clients, durations, starts, ends } = b.counters
    const { rows } = await retryOnConflict(() =>
      rawQuery(this.db, this.sql.chargeMany, [
        b.clients,
        b.costs,
        b.buckets,
        b.keys,
        b.keyExpires,
        b.ats,
        b.keyPrevious,
        b.windowCounts,
        b.windowCounters,
        b.windowLimits,
        clients,
        durations,
        starts,
        ends,
      ]),
    )
    const row = rows[0] as { allowed: boolean[]; replayed: boolean[]; used_json: string[] }
    return requests.map((_, i) => ({
      allowed: row.allowed[i] === true,
      used: (JSON.parse(String(row.used_json[i])) as unknown[]).map(num),
      replayed: row.replayed[i] === true,
    }))
  }

  status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    return this.statusRead({ clientId, windows })
  }

  /** One status read: a plain index scan, quicker for the server to plan than {@link statusMany}'s join. */
  private async statusOne(read: StatusRead): Promise<readonly number[]> {
    const { clientId, windows } = read
    const { rows } = await rawQuery(this.db, this.sql.status, [
      clientId,
      windows.map((w) => w.duration),
      windows.map((w) => w.start),
    ])
    return usedFromRows([read], rows)[0] as number[]
  }

  /** Several status reads in one select, by primary key (no transaction: nothing is written). */
  private async statusMany(reads: readonly StatusRead[]): Promise<number[][]> {
    const { clients, durations, starts } = flatStatusWindows(reads)
    const { rows } = await rawQuery(this.db, this.sql.statusMany, [clients, durations, starts])
    return usedPerRead(
      reads,
      rows.map((r) => num(r.used)),
    )
  }

  /** A refund without `restore` or `overage` (the store sends those to {@link credits}): one function call. */
  async refund(request: RefundRequest): Promise<boolean> {
    const { rows } = await retryOnConflict(() =>
      rawQuery(this.db, this.sql.refund, [
        request.clientId,
        request.windows.map((w) => w.duration),
        request.windows.map((w) => w.start),
        request.refundKey,
        request.refundKeyExpiresAt,
        request.credits,
        ledgerBucketStart(request.at),
        request.idempotencyKey ?? null,
      ]),
    )
    return (rows[0] as Row).applied === true
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    const { rows } = await rawQuery(this.db, this.sql.readUsage, [range.clientId, range.from, range.to])
    return rows.map(ledgerBucketOf)
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    if (isWholeClientDelete(request)) {
      await rawQuery(this.db, this.sql.deleteAll, [request.clientId])
    } else {
      await rawQuery(this.db, this.sql.deleteRange, [request.clientId, request.from, request.to])
    }
  }

  async purge(request: PurgeRequest): Promise<void> {
    await rawQuery(this.db, this.sql.purge, [request.before, request.now])
  }

  async drain(): Promise<void> {}
}

/** Every statement of the Postgres engine, written once per table prefix. */
function postgresStatements(t: TableNames, prefix: string) {
  const F = postgresFunctionNames(prefix)
  const C = t.counters
  const L = t.ledger
  const K = t.idempotencyKeys
  const R = t.refundKeys
  return {
    // $1 client, $2 durations, $3 starts, $4 ends, $5 limits (null = unlimited), $6 cost, $7 ledger
    // bucket, $8 idempotency key (null = none), $9 key expiry, $10 the instant of the charge.
    charge: `select allowed, replayed, used_json from ${F.charge}($1::text, $2::text[], $3::bigint[],
  $4::bigint[], $5::bigint[], $6::bigint, $7::bigint, $8::text, $9::bigint, $10::bigint)`,
    // The ChargeBatch arrays in their order: per item client, cost, bucket, key, key expiry, at, previous
    // item of the key, window count; per window counter and limit; per counter client, duration, start, end.
    chargeMany: `select allowed, replayed, used_json from ${F.chargeMany}($1::text[], $2::bigint[],
  $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::int[], $8::int[], $9::int[], $10::bigint[],
  $11::text[], $12::text[], $13::bigint[], $14::bigint[])`,
    // $1 client, $2 durations, $3 starts: a superset of the windows asked for, matched in JavaScript.
    status: `
select client_id, duration, window_start, used from ${C}
where client_id = $1 and duration = any($2::text[]) and window_start = any($3::bigint[])`,
    // Parallel arrays, one entry per window of every read: $1 clients, $2 durations, $3 starts.
    statusMany: `
select coalesce(c.used, 0) as used
from unnest($1::text[], $2::text[], $3::bigint[]) with ordinality as r(client_id, duration, window_start, ord)
left join ${C} c on c.client_id = r.client_id and c.duration = r.duration and c.window_start = r.window_start
order by r.ord`,
    // $1 client, $2 durations, $3 starts, $4 refund key, $5 its expiry, $6 credits, $7 ledger bucket,
    // $8 the idempotency key of the refunded charge (null = none), forgotten with the refund.
    refund: `select applied from ${F.refund}($1::text, $2::text[], $3::bigint[], $4::text, $5::bigint,
  $6::bigint, $7::bigint, $8::text)`,
    readUsage: `
select bucket_start, credits, from_balance, overage from ${L}
where client_id = $1 and bucket_start >= $2::bigint and bucket_start < $3::bigint and credits > 0
order by bucket_start`,
    deleteAll: `
with c as (delete from ${C} where client_id = $1),
l as (delete from ${L} where client_id = $1),
k as (delete from ${K} where client_id = $1),
r as (delete from ${R} where client_id = $1)
select 1`,
    deleteRange: `
with c as (delete from ${C} where client_id = $1 and window_start >= $2::bigint and window_start < $3::bigint),
l as (delete from ${L} where client_id = $1 and bucket_start >= $2::bigint and bucket_start < $3::bigint)
select 1`,
    purge: `
with l as (delete from ${L} where bucket_start < $1::bigint),
c as (delete from ${C} where window_end <= $1::bigint),
k as (delete from ${K} where expires_at <= $2::bigint),
r as (delete from ${R} where expires_at <= $2::bigint),
g as (delete from ${t.grants} where expires_at <= $1::bigint)
select 1`,
  } as const
}
