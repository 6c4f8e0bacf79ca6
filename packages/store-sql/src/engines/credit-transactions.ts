import {
  type ChargeRequest,
  type ChargeResult,
  compareGrants,
  isSpendable,
  ledgerBucketStart,
  planCreditCharge,
  type RefundRequest,
  type StoreWindow,
} from '@x/api-billing-core'
import { lockOrder, windowKey } from '../window-order.js'
import { decodeCredit, encodeCredit, grantOf } from './credit-rows.js'
import type { CreditStatements } from './credit-statements.js'
import { num } from './raw-query.js'
import type { SqlRunner } from './sql-runner.js'

/** What a transaction's work answers, and whether what it wrote is committed (`false`: rolled back). */
export interface Decided<T> {
  readonly value: T
  readonly commit: boolean
}

/** The distinct windows of a request (a window listed twice counts once), in the one lock order. */
function distinctInLockOrder(windows: readonly StoreWindow[]): StoreWindow[] {
  const seen = new Set<string>()
  const distinct: StoreWindow[] = []
  for (const i of lockOrder(windows)) {
    const w = windows[i] as StoreWindow
    const key = windowKey(w.duration, w.start)
    if (!seen.has(key)) {
      seen.add(key)
      distinct.push(w)
    }
  }
  return distinct
}

/**
 * A charge with overflow windows, inside one transaction that the caller commits or rolls back as told.
 * The locks follow the one order of every store function — the idempotency key row, the counters in
 * primary-key order, then the client's spendable grants in primary-key order, then the ledger bucket —
 * so it never deadlocks with `<prefix>charge`, `<prefix>charge_many` or `<prefix>refund`, and a plain
 * charge on the same counters waits for it (and it for them). Decided by core's `planCreditCharge`;
 * on SQLite the claim and the locks are plain reads (the write transaction already holds the database),
 * so a rejected or replayed charge wrote nothing there either.
 */
export async function chargeWithCredits(
  r: SqlRunner,
  s: CreditStatements,
  request: ChargeRequest,
): Promise<Decided<ChargeResult>> {
  const { clientId, windows, cost, at, idempotency } = request
  if (idempotency !== undefined) {
    const seen = await s.claimKey(r, clientId, idempotency.key, idempotency.expiresAt)
    if (seen !== undefined && seen.used != null && num(seen.expires_at) > at) {
      const used = (JSON.parse(String(seen.used)) as unknown[]).map(num)
      const value: ChargeResult =
        seen.credit == null
          ? { allowed: true, used, replayed: true }
          : { allowed: true, used, replayed: true, credit: decodeCredit(seen.credit) }
      return { value, commit: false }
    }
  }
  const distinct = distinctInLockOrder(windows)
  const locked = new Map<string, number>()
  for (const w of distinct) locked.set(windowKey(w.duration, w.start), await s.lockCounter(r, clientId, w))
  const used = windows.map((w) => locked.get(windowKey(w.duration, w.start)) as number)
  const grants = windows.some((w) => w.overflow === 'balance')
    ? (await r.all(s.lockGrants, [clientId, at, at]))
        .map(grantOf)
        .filter((g) => isSpendable(g, at))
        .sort(compareGrants)
    : []
  const credit = planCreditCharge(windows, used, cost, grants)
  if (credit.rejectedBy !== undefined) {
    return { value: { allowed: false, used, replayed: false, credit }, commit: false }
  }
  for (const w of distinct) await r.run(s.addToCounter, [clientId, w.duration, w.start, w.end, cost])
  for (const spend of credit.spent) {
    const changed = await r.run(s.spendGrant, [spend.credits, clientId, spend.grantId, spend.credits])
    if (changed !== 1) throw new Error(`grant ${spend.grantId} changed while it was locked`)
  }
  const bucket = ledgerBucketStart(at)
  await r.run(s.addToLedger, [clientId, bucket, cost, credit.fromBalance, credit.overage])
  const after = used.map((u) => u + cost)
  if (idempotency !== undefined) {
    const answer = JSON.stringify(after)
    await r.run(s.storeKey, [clientId, idempotency.key, answer, encodeCredit(credit), idempotency.expiresAt])
  }
  return { value: { allowed: true, used: after, replayed: false, credit }, commit: true }
}

/** The credits `restore` gives back per grant, summed, in primary-key (id) order. */
function restoreByGrant(request: RefundRequest): [string, number][] {
  const byGrant = new Map<string, number>()
  for (const r of request.restore ?? []) byGrant.set(r.grantId, (byGrant.get(r.grantId) ?? 0) + r.credits)
  return [...byGrant].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * A refund, inside one transaction the caller commits or rolls back as told: inserts the refund key
 * (a key already used answers `false` and changes nothing), forgets the refunded charge's idempotency
 * key, subtracts the credits from the counters (in primary-key order) and adds `restore` back to its
 * grants — not to voided ones nor to those expired at `now`, never above their credits — then takes
 * the credits, `sum(restore)` and `overage` from the ledger bucket, each never below zero. The same lock
 * order as {@link chargeWithCredits}.
 */
export async function refundWithCredits(
  r: SqlRunner,
  s: CreditStatements,
  request: RefundRequest,
): Promise<Decided<boolean>> {
  const { clientId, credits } = request
  const inserted = await r.run(s.insertRefundKey, [clientId, request.refundKey, request.refundKeyExpiresAt])
  if (inserted === 0) return { value: false, commit: false }
  if (request.idempotencyKey !== undefined) await r.run(s.forgetKey, [clientId, request.idempotencyKey])
  for (const w of distinctInLockOrder(request.windows)) {
    await r.run(s.refundCounter, [credits, clientId, w.duration, w.start])
  }
  let fromBalance = 0
  for (const [grantId, restored] of restoreByGrant(request)) {
    fromBalance += restored
    await r.run(s.restoreGrant, [restored, clientId, grantId, request.now])
  }
  const bucket = ledgerBucketStart(request.at)
  await r.run(s.refundLedger, [credits, fromBalance, request.overage ?? 0, clientId, bucket])
  return { value: true, commit: true }
}
