import {
  type ChargeRequest,
  type GrantRequest,
  InvalidArgumentError,
  type RefundRequest,
  type UsageScan,
} from '@x/api-billing-core'
import { assertInteger, assertStoreId, rangeBound } from './store-input.js'

/** Whether a refund gives credits back to grants or takes back overage (then it takes the credit path). */
export function refundsCredits(request: RefundRequest): boolean {
  return (request.restore !== undefined && request.restore.length > 0) || (request.overage ?? 0) > 0
}

/** Checks the overflow settings of a charge's windows (none, `'balance'` or `'bill'`); throws `InvalidArgumentError` naming the field. */
export function assertOverflow(request: ChargeRequest): void {
  request.windows.forEach((w, i) => {
    if (w.overflow !== undefined && w.overflow !== 'balance' && w.overflow !== 'bill') {
      throw new InvalidArgumentError(`request.windows[${i}].overflow`, "expected 'balance' or 'bill'")
    }
    if (w.overageLimit !== undefined && (typeof w.overageLimit !== 'number' || !(w.overageLimit >= 0))) {
      throw new InvalidArgumentError(`request.windows[${i}].overageLimit`, 'expected a non-negative number')
    }
  })
}

/** A non-negative safe integer, or `InvalidArgumentError` naming `argument`. */
function assertCount(value: unknown, argument: string): asserts value is number {
  assertInteger(value, argument)
  if (value < 0) throw new InvalidArgumentError(argument, 'must not be negative')
}

/** Checks a refund's `restore`, `overage` and `now`; throws `InvalidArgumentError` naming the field. */
export function assertRefundCredits(request: RefundRequest): void {
  assertInteger(request.now, 'request.now')
  if (request.overage !== undefined) assertCount(request.overage, 'request.overage')
  if (request.restore === undefined) return
  if (!Array.isArray(request.restore)) throw new InvalidArgumentError('request.restore', 'expected an array')
  request.restore.forEach((r, i) => {
    assertStoreId(r?.grantId, `request.restore[${i}].grantId`)
    assertCount(r.credits, `request.restore[${i}].credits`)
  })
}

/** Checks a grant before it reaches SQL; throws `InvalidArgumentError` naming the field. */
export function assertGrantRequest(request: GrantRequest): void {
  assertStoreId(request?.clientId, 'request.clientId')
  const grant = request.grant
  if (typeof grant !== 'object' || grant === null)
    throw new InvalidArgumentError('request.grant', 'expected a grant')
  assertStoreId(grant.id, 'request.grant.id')
  assertCount(grant.credits, 'request.grant.credits')
  if (grant.credits === 0) throw new InvalidArgumentError('request.grant.credits', 'must be positive')
  assertCount(grant.remaining, 'request.grant.remaining')
  if (grant.remaining > grant.credits) {
    throw new InvalidArgumentError('request.grant.remaining', 'must not exceed credits')
  }
  assertInteger(grant.effectiveAt, 'request.grant.effectiveAt')
  if (grant.expiresAt !== undefined) assertInteger(grant.expiresAt, 'request.grant.expiresAt')
  assertInteger(grant.grantedAt, 'request.grant.grantedAt')
  if (grant.note !== undefined && typeof grant.note !== 'string') {
    throw new InvalidArgumentError('request.grant.note', 'expected a string')
  }
  if (grant.note?.includes('\u0000'))
    throw new InvalidArgumentError('request.grant.note', 'must not contain U+0000')
  if (request.idempotencyKey !== undefined) assertStoreId(request.idempotencyKey, 'request.idempotencyKey')
}

/** A usage scan with safe-integer bounds, checked; throws `InvalidArgumentError` naming the field. */
export function boundedScan(scan: UsageScan): UsageScan {
  const from = rangeBound(scan?.from, 'scan.from')
  const to = rangeBound(scan.to, 'scan.to')
  if (!Number.isSafeInteger(scan.limit) || scan.limit <= 0) {
    throw new InvalidArgumentError('scan.limit', 'expected a positive integer')
  }
  if (scan.after === undefined) return { from, to, limit: scan.limit }
  assertStoreId(scan.after?.clientId, 'scan.after.clientId')
  return {
    from,
    to,
    limit: scan.limit,
    after: { clientId: scan.after.clientId, start: rangeBound(scan.after.start, 'scan.after.start') },
  }
}
