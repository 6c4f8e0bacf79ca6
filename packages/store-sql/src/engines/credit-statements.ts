import type { StoreWindow, UsageScan } from '@x/api-billing-core'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import type { Row } from './raw-query.js'
import type { SqlRunner } from './sql-runner.js'

/** The columns of a grant row, in the order every grant `select` lists them. */
const GRANT_COLUMNS = 'id, credits, remaining, effective_at, expires_at, granted_at, note'

/**
 * The SQL of the credit operations for one dialect and table prefix. Texts take `?` parameters in the
 * order their comment gives (Postgres texts are rewritten to `$1…`). The steps that differ in shape per
 * dialect (claiming a key, locking a counter, scanning) are functions.
 */
export interface CreditStatements {
  /**
   * Server dialects: inserts the key row or locks the existing one (a concurrent duplicate waits);
   * SQLite (one writer): reads it. Resolves the row (`used`, `credit`, `expires_at`; `used` null for a
   * row this claim inserted) or `undefined`.
   */
  readonly claimKey: (
    r: SqlRunner,
    clientId: string,
    key: string,
    expiresAt: number,
  ) => Promise<Row | undefined>
  /** Server dialects: creates the counter row if missing and locks it; SQLite reads it. Resolves `used`. */
  readonly lockCounter: (r: SqlRunner, clientId: string, window: StoreWindow) => Promise<number>
  /** One page of every client's non-empty ledger buckets, keyset-paged on the ledger's primary key. */
  readonly scan: (r: SqlRunner, scan: UsageScan) => Promise<Row[]>
  /** client, at, at: the spendable grants, locked (server dialects) in primary-key order. */
  readonly lockGrants: string
  /** client, duration, start, end, cost. */
  readonly addToCounter: string
  /** credits, client, id, credits: takes credits from a grant that still holds them. */
  readonly spendGrant: string
  /** client, bucket, credits, from balance, overage. */
  readonly addToLedger: string
  /** client, key, used JSON, credit JSON, expiry. */
  readonly storeKey: string
  /** client, refund key, expiry; changes 0 rows when the key exists. */
  readonly insertRefundKey: string
  /** client, key. */
  readonly forgetKey: string
  /** credits, client, duration, start. */
  readonly refundCounter: string
  /** credits, client, id, now: never above the grant's credits, not to voided or expired grants. */
  readonly restoreGrant: string
  /** credits, from balance, overage, client, bucket: each never below zero. */
  readonly refundLedger: string
  /** client, id, credits, remaining, effective, expires, granted, note, key; changes 0 rows on a conflict. */
  readonly insertGrant: string
  /** client, key. */
  readonly grantByKey: string
  /** client, id. */
  readonly grantById: string
  /** client, now: grants not voided, with credits left, not expired at now. */
  readonly liveGrants: string
  /** client, id. */
  readonly voidGrant: string
  /** before: grants that expired at or before it. */
  readonly purgeGrants: string
}

/** Rewrites `?` placeholders as Postgres's `$1`, `$2`, … (the texts here hold no `?` in literals). */
function numbered(text: string): string {
  let n = 0
  return text.replace(/\?/g, () => `$${++n}`)
}

/**
 * An insert of one row, or, when its key exists, an update of that row: `changes` maps a column to
 * `'add'` (the new value is added) or `'set'` (the new value replaces it).
 */
function upsert(
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  changes: Readonly<Record<string, 'add' | 'set'>>,
): string {
  const values = `(${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`
  const entries = Object.entries(changes)
  if (dialect === 'mysql') {
    const set = entries.map(([c, how]) =>
      how === 'add' ? `${c} = ${c} + values(${c})` : `${c} = values(${c})`,
    )
    return `insert into ${table} ${values} on duplicate key update ${set.join(', ')}`
  }
  const set = entries.map(([c, how]) =>
    how === 'add' ? `${c} = t.${c} + excluded.${c}` : `${c} = excluded.${c}`,
  )
  return `insert into ${table} as t ${values} on conflict (${key.join(', ')}) do update set ${set.join(', ')}`
}

/** The statements of the credit operations for `dialect` on the tables `t`. */
export function creditStatements(dialect: SqlDialect, t: TableNames): CreditStatements {
  const q = dialect === 'postgres' ? numbered : (text: string) => text
  const texts = { ...chargeTexts(dialect, t), ...refundAndGrantTexts(dialect, t) }
  const statements = Object.fromEntries(
    Object.entries(texts).map(([name, text]) => [name, q(text)]),
  ) as typeof texts
  return {
    ...statements,
    claimKey: keyClaim(dialect, t.idempotencyKeys, q),
    lockCounter: counterLock(dialect, t.counters, q),
    scan: usageScan(dialect, t.ledger, q),
  }
}

/** The `?` texts of a credit charge's grant lock and writes. */
function chargeTexts(dialect: SqlDialect, t: TableNames) {
  const { counters: C, ledger: L, idempotencyKeys: K, grants: G } = t
  const forUpdate = dialect === 'sqlite' ? '' : ' for update'
  return {
    lockGrants: `select ${GRANT_COLUMNS} from ${G} where client_id = ? and voided = 0 and remaining > 0
      and effective_at <= ? and (expires_at is null or expires_at > ?) order by id${forUpdate}`,
    addToCounter: upsert(
      dialect,
      C,
      ['client_id', 'duration', 'window_start', 'window_end', 'used'],
      ['client_id', 'duration', 'window_start'],
      { used: 'add' },
    ),
    spendGrant: `update ${G} set remaining = remaining - ? where client_id = ? and id = ? and remaining >= ?`,
    addToLedger: upsert(
      dialect,
      L,
      ['client_id', 'bucket_start', 'credits', 'from_balance', 'overage'],
      ['client_id', 'bucket_start'],
      { credits: 'add', from_balance: 'add', overage: 'add' },
    ),
    storeKey: upsert(
      dialect,
      K,
      ['client_id', 'idem_key', 'used', 'credit', 'expires_at'],
      ['client_id', 'idem_key'],
      { used: 'set', credit: 'set', expires_at: 'set' },
    ),
  }
}

/** The `?` texts of refunds, grants and their retention. */
function refundAndGrantTexts(dialect: SqlDialect, t: TableNames) {
  const { counters: C, ledger: L, idempotencyKeys: K, refundKeys: R, grants: G } = t
  const most = dialect === 'sqlite' ? 'max' : 'greatest'
  const least = dialect === 'sqlite' ? 'min' : 'least'
  const grantInsert = `insert into ${G} (client_id, id, credits, remaining, effective_at, expires_at, granted_at,
    note, idem_key) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  const refundKeyInsert = `insert into ${R} (client_id, refund_key, expires_at) values (?, ?, ?)`
  return {
    insertRefundKey:
      dialect === 'mysql'
        ? refundKeyInsert.replace(/^insert /, 'insert ignore ')
        : `${refundKeyInsert} on conflict do nothing`,
    forgetKey: `delete from ${K} where client_id = ? and idem_key = ?`,
    refundCounter: `update ${C} set used = ${most}(0, used - ?) where client_id = ? and duration = ? and window_start = ?`,
    restoreGrant: `update ${G} set remaining = ${least}(credits, remaining + ?)
      where client_id = ? and id = ? and voided = 0 and (expires_at is null or expires_at > ?)`,
    refundLedger: `update ${L} set credits = ${most}(0, credits - ?), from_balance = ${most}(0, from_balance - ?),
      overage = ${most}(0, overage - ?) where client_id = ? and bucket_start = ?`,
    insertGrant:
      dialect === 'mysql'
        ? `${grantInsert} on duplicate key update id = id`
        : `${grantInsert} on conflict do nothing`,
    grantByKey: `select ${GRANT_COLUMNS} from ${G} where client_id = ? and idem_key = ?`,
    grantById: `select ${GRANT_COLUMNS} from ${G} where client_id = ? and id = ?`,
    liveGrants: `select ${GRANT_COLUMNS} from ${G} where client_id = ? and voided = 0 and remaining > 0
      and (expires_at is null or expires_at > ?)`,
    voidGrant: `update ${G} set voided = 1 where client_id = ? and id = ? and voided = 0`,
    purgeGrants: `delete from ${G} where expires_at <= ?`,
  }
}

/** {@link CreditStatements.claimKey} for `dialect` on the idempotency table `K`. */
function keyClaim(dialect: SqlDialect, K: string, q: (text: string) => string): CreditStatements['claimKey'] {
  const read = `select used, credit, expires_at from ${K} where client_id = ? and idem_key = ?`
  if (dialect === 'sqlite') return async (r, clientId, key) => (await r.all(read, [clientId, key]))[0]
  if (dialect === 'postgres') {
    const claim = q(`insert into ${K} as t (client_id, idem_key, used, expires_at) values (?, ?, null, ?)
      on conflict (client_id, idem_key) do update set idem_key = excluded.idem_key
      returning t.used, t.credit, t.expires_at`)
    return async (r, clientId, key, expiresAt) => (await r.all(claim, [clientId, key, expiresAt]))[0]
  }
  const insert = `insert into ${K} (client_id, idem_key, used, expires_at) values (?, ?, null, ?)
    on duplicate key update idem_key = idem_key`
  return async (r, clientId, key, expiresAt) => {
    await r.run(insert, [clientId, key, expiresAt])
    return (await r.all(`${read} for update`, [clientId, key]))[0]
  }
}

/** {@link CreditStatements.lockCounter} for `dialect` on the counters table `C`. */
function counterLock(
  dialect: SqlDialect,
  C: string,
  q: (text: string) => string,
): CreditStatements['lockCounter'] {
  const read = `select used from ${C} where client_id = ? and duration = ? and window_start = ?`
  const columns = '(client_id, duration, window_start, window_end, used) values (?, ?, ?, ?, 0)'
  if (dialect === 'sqlite') {
    return async (r, clientId, w) =>
      Number((await r.all(read, [clientId, w.duration, w.start]))[0]?.used ?? 0)
  }
  if (dialect === 'postgres') {
    const lock = q(`insert into ${C} as t ${columns}
      on conflict (client_id, duration, window_start) do update set used = t.used returning used`)
    return async (r, clientId, w) =>
      Number((await r.all(lock, [clientId, w.duration, w.start, w.end]))[0]?.used)
  }
  const insert = `insert into ${C} ${columns} on duplicate key update used = used`
  return async (r, clientId, w) => {
    await r.run(insert, [clientId, w.duration, w.start, w.end])
    return Number((await r.all(`${read} for update`, [clientId, w.duration, w.start]))[0]?.used)
  }
}

/**
 * {@link CreditStatements.scan} for `dialect` on the ledger `L`: the primary key `(client_id,
 * bucket_start)` serves the order and the keyset condition (a row comparison on Postgres and SQLite; on
 * MySQL an `or` of two ranges, which its range optimizer reads off the key).
 */
function usageScan(dialect: SqlDialect, L: string, q: (text: string) => string): CreditStatements['scan'] {
  const select = `select client_id, bucket_start, credits, from_balance, overage from ${L}
    where bucket_start >= ? and bucket_start < ? and credits > 0`
  const tail = 'order by client_id, bucket_start limit ?'
  const first = q(`${select} ${tail}`)
  const after =
    dialect === 'mysql'
      ? `${select} and (client_id > ? or (client_id = ? and bucket_start > ?)) ${tail}`
      : q(`${select} and (client_id, bucket_start) > (?, ?) ${tail}`)
  return async (r, scan) => {
    const { from, to, limit } = scan
    if (scan.after === undefined) return r.all(first, [from, to, limit])
    const { clientId, start } = scan.after
    const key = dialect === 'mysql' ? [clientId, clientId, start] : [clientId, start]
    return r.all(after, [from, to, ...key, limit])
  }
}
