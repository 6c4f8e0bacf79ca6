import type { QuotaStatusBody } from '@x/api-billing-core'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isNumberOrNull(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value))
}

/**
 * Checks that a fetched JSON value has the shape of core's `QuotaStatusBody` (every field a
 * `<QuotaMeter>` reads) and returns it typed. Throws a `TypeError` naming the first bad field.
 */
export function parseQuotaStatusBody(value: unknown): QuotaStatusBody {
  if (!isObject(value)) throw new TypeError('Quota status: expected a JSON object')
  if (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at))) {
    throw new TypeError('Quota status: "at" must be an ISO-8601 instant')
  }
  if (!Array.isArray(value.windows)) throw new TypeError('Quota status: "windows" must be an array')
  value.windows.forEach((w: unknown, i) => {
    const ok =
      isObject(w) &&
      typeof w.duration === 'string' &&
      isNumberOrNull(w.limit) &&
      isNumberOrNull(w.remaining) &&
      typeof w.used === 'number' &&
      typeof w.resetAt === 'string' &&
      !Number.isNaN(Date.parse(w.resetAt))
    if (!ok) throw new TypeError(`Quota status: windows[${i}] is not a quota window`)
  })
  return value as unknown as QuotaStatusBody
}
