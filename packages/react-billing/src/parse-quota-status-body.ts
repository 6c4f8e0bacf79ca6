import type { QuotaStatusView } from './quota-status-view.js'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isNumberOrNull(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value))
}

const OVERFLOWS: readonly unknown[] = ['reject', 'balance', 'bill']

function isQuotaWindow(w: unknown): boolean {
  return (
    isObject(w) &&
    typeof w.duration === 'string' &&
    isNumberOrNull(w.limit) &&
    isNumberOrNull(w.remaining) &&
    typeof w.used === 'number' &&
    typeof w.resetAt === 'string' &&
    !Number.isNaN(Date.parse(w.resetAt)) &&
    (w.overflow === undefined || OVERFLOWS.includes(w.overflow)) &&
    (w.overageLimit === undefined || isNumberOrNull(w.overageLimit))
  )
}

/**
 * Checks that a fetched JSON value has the shape of core's `QuotaStatusBody` (every field a
 * `<QuotaMeter>` reads) and returns it typed. The credit fields (`balance`; per window `overflow`,
 * `overageLimit`) are checked when present and may be absent (an older server): they then mean
 * `null` and `'reject'`. Throws a `TypeError` naming the first bad field.
 */
export function parseQuotaStatusBody(value: unknown): QuotaStatusView {
  if (!isObject(value)) throw new TypeError('Quota status: expected a JSON object')
  if (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at))) {
    throw new TypeError('Quota status: "at" must be an ISO-8601 instant')
  }
  if (!Array.isArray(value.windows)) throw new TypeError('Quota status: "windows" must be an array')
  if (value.balance !== undefined && !isNumberOrNull(value.balance)) {
    throw new TypeError('Quota status: "balance" must be a number or null')
  }
  value.windows.forEach((w: unknown, i) => {
    if (!isQuotaWindow(w)) throw new TypeError(`Quota status: windows[${i}] is not a quota window`)
  })
  return value as unknown as QuotaStatusView
}
