import {
  type ChargeRequest,
  type ChargeResult,
  type DeleteUsageRequest,
  type LedgerBucket,
  ledgerBucketStart,
  type PurgeRequest,
  type RefundRequest,
  StoreUnavailableError,
  type StoreWindow,
  type UsageRange,
} from '@x/api-billing-core'
import type { Kysely } from 'kysely'
import { retryOnConflict } from '../retry-on-conflict.js'
import { sqlLimit } from '../store-input.js'
import type { TableNames } from '../table-names.js'
import { lockOrder } from '../window-order.js'
import { num, Rollback, type Row, rawQuery, transactionOrRollback } from './raw-query.js'
import type { SqlEngine } from './sql-engine.js'

/** How often a charge re-runs after creating counter rows that a concurrent delete removed again. */
const MAX_MISSING_ROUNDS = 5

/**
 * Postgres: a charge is one statement (a CTE) that locks the window counters `FOR UPDATE` in
 * primary-key order, checks every window, and only then updates them and the ledger bucket — one
 * round trip, atomic as a statement, serialised per counter row. A charge that the statement's
 * snapshot already shows cannot fit is rejected without taking any lock, so a flood of requests
 * against an exhausted quota does not queue on the row lock. A window's very first charge first
 * creates its counter row (`INSERT … ON CONFLICT DO NOTHING`) and runs the statement again, so the
 * check never races a concurrent insert. A keyed charge wraps the same statement in a transaction
 * that first inserts-or-locks its idempotency key row, so duplicates wait for the winner and replay it.
 */
export class PostgresEngine implements SqlEngine {
  private readonly sql: ReturnType<typeof postgresStatements>

  constructor(
    private readonly db: Kysely<unknown>,
    tables: TableNames,
  ) {
    this.sql = postgresStatements(tables)
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (request.idempotencyKey === undefined) return retryOnConflict(() => this.chargeOn(this.db, request))
    const key = request.idempotencyKey
    return retryOnConflict(() =>
      transactionOrRollback(this.db, async (trx) => {
        const { rows } = await rawQuery(trx, this.sql.lockKey, [
          request.clientId,
          key,
          request.idempotencyExpiresAt ?? request.at,
        ])
        const row = rows[0] as Row
        if (row.used !== null && num(row.expires_at) > request.at) {
          throw new Rollback<ChargeResult>({
            allowed: true,
            used: JSON.parse(String(row.used)),
            replayed: true,
          })
        }
        const result = await this.chargeOn(trx, request)
        if (!result.allowed) throw new Rollback(result)
        return result
      }),
    )
  }

  private async chargeOn(db: Kysely<unknown>, request: ChargeRequest): Promise<ChargeResult> {
    const { clientId, windows, cost } = request
    const params = [
      clientId,
      windows.map((w) => w.duration),
      windows.map((w) => w.start),
      windows.map((w) => sqlLimit(w.limit)),
      cost,
      ledgerBucketStart(request.at),
      request.idempotencyKey ?? null,
      request.idempotencyExpiresAt ?? request.at,
    ]
    for (let round = 0; round < MAX_MISSING_ROUNDS; round++) {
      const { rows } = await rawQuery(db, this.sql.charge, params)
      const head = rows[0] as Row
      if (head.missing !== true) {
        const used = rows.filter((r) => r.ord !== null).map((r) => num(r.used))
        return { allowed: head.allowed === true, used, replayed: false }
      }
      await this.createCounters(db, clientId, windows)
    }
    throw new StoreUnavailableError(
      'SqlUsageStore (postgres): window counters kept disappearing during a charge',
    )
  }

  private async createCounters(db: Kysely<unknown>, clientId: string, windows: readonly StoreWindow[]) {
    const ordered = lockOrder(windows).map((i) => windows[i] as StoreWindow)
    await rawQuery(db, this.sql.createCounters, [
      clientId,
      ordered.map((w) => w.duration),
      ordered.map((w) => w.start),
      ordered.map((w) => w.end),
    ])
  }

  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    const { rows } = await rawQuery(this.db, this.sql.status, [
      clientId,
      windows.map((w) => w.duration),
      windows.map((w) => w.start),
    ])
    return rows.map((r) => num(r.used))
  }

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
    return num((rows[0] as Row).applied) > 0
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    const { rows } = await rawQuery(this.db, this.sql.readUsage, [range.clientId, range.from, range.to])
    return rows.map((r) => ({ start: num(r.bucket_start), credits: num(r.credits) }))
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    if (request.from === undefined && request.to === undefined) {
      await rawQuery(this.db, this.sql.deleteAll, [request.clientId])
    } else {
      await rawQuery(this.db, this.sql.deleteRange, [
        request.clientId,
        request.from ?? Number.MIN_SAFE_INTEGER,
        request.to ?? Number.MAX_SAFE_INTEGER,
      ])
    }
  }

  async purge(request: PurgeRequest): Promise<void> {
    await rawQuery(this.db, this.sql.purge, [request.before, request.now])
  }

  async drain(): Promise<void> {}
}

/** Every statement of the Postgres engine, written once per table prefix. */
function postgresStatements(t: TableNames) {
  const C = t.counters
  const L = t.ledger
  const K = t.idempotencyKeys
  const R = t.refundKeys
  return {
    // $1 client, $2 durations, $3 starts, $4 limits (null = unlimited), $5 cost, $6 ledger bucket,
    // $7 idempotency key (null = none), $8 key expiry. One row per window (ord) in request order,
    // or a single row with ord null when there are no windows.
    charge: `
with req as (
  select r.duration, r.window_start, r.lim, r.ord
  from unnest($2::text[], $3::bigint[], $4::bigint[]) with ordinality as r(duration, window_start, lim, ord)
), seen as (
  select r.ord, coalesce(c.used, 0) as used
  from req r left join ${C} c on c.client_id = $1 and c.duration = r.duration and c.window_start = r.window_start
), precheck as (
  select coalesce(bool_and(r.lim is null or s.used + $5::bigint <= r.lim), true) as may
  from req r join seen s on s.ord = r.ord
), locked as (
  select c.duration, c.window_start, c.used
  from ${C} c join req r on c.duration = r.duration and c.window_start = r.window_start
  where c.client_id = $1 and (select may from precheck)
  order by c.duration, c.window_start
  for update of c
), cur as (
  select r.ord, r.duration, r.window_start, r.lim, l.used
  from req r left join locked l on l.duration = r.duration and l.window_start = r.window_start
), verdict as (
  select p.may and coalesce(bool_and(c.used is not null and (c.lim is null or c.used + $5::bigint <= c.lim))
           filter (where c.ord is not null), true) as allowed,
         p.may and coalesce(bool_or(c.used is null) filter (where c.ord is not null), false) as missing, p.may
  from precheck p left join cur c on true
  group by p.may
), upd as (
  update ${C} c set used = c.used + $5::bigint
  from req r
  where (select allowed from verdict) and c.client_id = $1
    and c.duration = r.duration and c.window_start = r.window_start
  returning c.duration, c.window_start, c.used
), led as (
  insert into ${L} (client_id, bucket_start, credits)
  select $1, $6::bigint, $5::bigint from verdict where allowed
  on conflict (client_id, bucket_start) do update set credits = ${L}.credits + excluded.credits
), answer as (
  select c.ord, case when (select may from verdict) then coalesce(u.used, c.used) else s.used end as used
  from cur c
  join seen s on s.ord = c.ord
  left join upd u on u.duration = c.duration and u.window_start = c.window_start
), keyed as (
  update ${K} k set used = (select coalesce(json_agg(used order by ord), '[]'::json)::text from answer),
    expires_at = $8::bigint
  where $7::text is not null and k.client_id = $1 and k.idem_key = $7::text and (select allowed from verdict)
)
select v.allowed, v.missing, a.ord, a.used
from verdict v left join answer a on true
order by a.ord`,
    // Inserts the key row or locks the existing one (a duplicate in flight waits here for the winner).
    lockKey: `
insert into ${K} (client_id, idem_key, used, expires_at) values ($1, $2, null, $3)
on conflict (client_id, idem_key) do update set idem_key = excluded.idem_key
returning used, expires_at`,
    createCounters: `
insert into ${C} (client_id, duration, window_start, window_end, used)
select $1, r.duration, r.window_start, r.window_end, 0
from unnest($2::text[], $3::bigint[], $4::bigint[]) with ordinality as r(duration, window_start, window_end, ord)
order by r.ord
on conflict (client_id, duration, window_start) do nothing`,
    status: `
select coalesce(c.used, 0) as used
from unnest($2::text[], $3::bigint[]) with ordinality as r(duration, window_start, ord)
left join ${C} c on c.client_id = $1 and c.duration = r.duration and c.window_start = r.window_start
order by r.ord`,
    // $1 client, $2 durations, $3 starts, $4 refund key, $5 its expiry, $6 credits, $7 ledger bucket,
    // $8 the idempotency key of the refunded charge (null = none), forgotten with the refund.
    refund: `
with k as (
  insert into ${R} (client_id, refund_key, expires_at) values ($1, $4, $5::bigint)
  on conflict (client_id, refund_key) do nothing
  returning 1 as applied
), locked as (
  select c.duration, c.window_start
  from ${C} c join unnest($2::text[], $3::bigint[]) as r(duration, window_start)
    on c.duration = r.duration and c.window_start = r.window_start
  where c.client_id = $1 and exists (select 1 from k)
  order by c.duration, c.window_start
  for update of c
), upd as (
  update ${C} c set used = greatest(0, c.used - $6::bigint)
  from locked l
  where c.client_id = $1 and c.duration = l.duration and c.window_start = l.window_start
), led as (
  update ${L} set credits = greatest(0, credits - $6::bigint)
  where client_id = $1 and bucket_start = $7::bigint and exists (select 1 from k)
), forget as (
  delete from ${K}
  where $8::text is not null and client_id = $1 and idem_key = $8::text and exists (select 1 from k)
)
select count(*) as applied from k`,
    readUsage: `
select bucket_start, credits from ${L}
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
r as (delete from ${R} where expires_at <= $2::bigint)
select 1`,
  } as const
}
