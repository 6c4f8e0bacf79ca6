import { InvalidArgumentError, type StoreWindow } from '@x/api-billing-core'

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
 * A window limit as SQL sees it: `null` for unlimited (never compared in SQL), otherwise the whole
 * credits that fit (used and cost are integers, so `used + cost <= limit` iff `<= floor(limit)`).
 */
export function sqlLimit(limit: number): number | null {
  return limit === Number.POSITIVE_INFINITY ? null : Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER)
}
