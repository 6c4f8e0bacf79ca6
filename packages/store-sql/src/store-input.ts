import {
  type ChargeRequest,
  type DeleteUsageRequest,
  InvalidArgumentError,
  isWholeClientDelete,
  type RefundRequest,
  type StoreWindow,
} from '@x/api-billing-core'

/** The longest client id or key the tables hold, in UTF-8 bytes (MySQL keys them as `varbinary(1024)`). */
export const MAX_ID_BYTES = 1024

/**
 * Checks a client id, idempotency key or refund key before it reaches SQL: a non-empty string of at
 * most {@link MAX_ID_BYTES} UTF-8 bytes without U+0000 (which Postgres text cannot hold). Throws
 * `InvalidArgumentError` naming `argument`.
 */
export function assertStoreId(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(argument, 'expected a non-empty string')
  }
  if (value.includes('\u0000')) throw new InvalidArgumentError(argument, 'must not contain U+0000')
  if (Buffer.byteLength(value, 'utf8') > MAX_ID_BYTES) {
    throw new InvalidArgumentError(argument, `longer than ${MAX_ID_BYTES} UTF-8 bytes`)
  }
}

/** Checks that `value` is a safe integer (epoch ms or credits); throws `InvalidArgumentError` otherwise. */
export function assertInteger(value: unknown, argument: string): asserts value is number {
  if (!Number.isSafeInteger(value))
    throw new InvalidArgumentError(argument, `expected a safe integer, got ${value}`)
}

/** Checks each window's start and end (safe integers) and limit (a non-negative number or `Infinity`). */
export function assertWindows(windows: readonly StoreWindow[], argument: string): void {
  if (!Array.isArray(windows)) throw new InvalidArgumentError(argument, 'expected an array of windows')
  windows.forEach((w, i) => {
    assertInteger(w.start, `${argument}[${i}].start`)
    assertInteger(w.end, `${argument}[${i}].end`)
    if (typeof w.limit !== 'number' || !(w.limit >= 0)) {
      throw new InvalidArgumentError(`${argument}[${i}].limit`, 'expected a non-negative number or UNLIMITED')
    }
  })
}

/**
 * A range bound as a safe integer: `±Infinity` becomes the widest safe value, so "from the
 * beginning" and "until the end" work; NaN throws `InvalidArgumentError`.
 */
export function rangeBound(value: number, argument: string): number {
  if (Number.isNaN(value) || typeof value !== 'number') {
    throw new InvalidArgumentError(argument, `expected epoch milliseconds, got ${value}`)
  }
  return Math.trunc(Math.min(Number.MAX_SAFE_INTEGER, Math.max(Number.MIN_SAFE_INTEGER, value)))
}

/**
 * Checks a charge before it reaches SQL: client id, windows, a non-negative whole `cost`, `at`, and an
 * `idempotency` claim (when present) with a key and a whole `expiresAt`. Throws `InvalidArgumentError`
 * naming the field.
 */
export function assertChargeRequest(request: ChargeRequest): void {
  assertStoreId(request?.clientId, 'request.clientId')
  assertWindows(request.windows, 'request.windows')
  assertInteger(request.cost, 'request.cost')
  assertInteger(request.at, 'request.at')
  if (request.cost < 0) throw new InvalidArgumentError('request.cost', 'must not be negative')
  const { idempotency } = request
  if (idempotency !== undefined) {
    if (typeof idempotency !== 'object' || idempotency === null) {
      throw new InvalidArgumentError('request.idempotency', 'expected { key, expiresAt }')
    }
    assertStoreId(idempotency.key, 'request.idempotency.key')
    assertInteger(idempotency.expiresAt, 'request.idempotency.expiresAt')
  }
}

/** Checks a refund before it reaches SQL; throws `InvalidArgumentError` naming the field. */
export function assertRefundRequest(request: RefundRequest): void {
  assertStoreId(request?.clientId, 'request.clientId')
  assertWindows(request.windows, 'request.windows')
  assertInteger(request.credits, 'request.credits')
  assertInteger(request.at, 'request.at')
  assertStoreId(request.refundKey, 'request.refundKey')
  assertInteger(request.refundKeyExpiresAt, 'request.refundKeyExpiresAt')
  if (request.idempotencyKey !== undefined) assertStoreId(request.idempotencyKey, 'request.idempotencyKey')
  if (request.credits < 0) throw new InvalidArgumentError('request.credits', 'must not be negative')
}

/**
 * A delete request as the engines take it: the whole client, or a complete range whose bounds are safe
 * integers ({@link rangeBound}). Half a range (`from` or `to` alone) throws `InvalidArgumentError`
 * rather than being read as "the whole client".
 */
export function boundedDelete(request: DeleteUsageRequest): DeleteUsageRequest {
  assertStoreId(request?.clientId, 'request.clientId')
  if (isWholeClientDelete(request)) {
    if (request.to !== undefined) {
      throw new InvalidArgumentError('request.from', 'a range needs both from and to')
    }
    return { clientId: request.clientId }
  }
  return {
    clientId: request.clientId,
    from: rangeBound(request.from, 'request.from'),
    to: rangeBound(request.to, 'request.to'),
  }
}

/**
 * A window limit as SQL sees it: `null` for unlimited (never compared in SQL), otherwise the whole
 * credits that fit (used and cost are integers, so core's `hasRoom` — `cost <= limit - used` — holds for
 * `limit` exactly when it holds for `floor(limit)`).
 */
export function sqlLimit(limit: number): number | null {
  return limit === Number.POSITIVE_INFINITY ? null : Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER)
}
