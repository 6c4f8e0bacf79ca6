import type { DailyUsageBody } from '@x/api-billing-core'

/**
 * Checks that a fetched JSON value has the shape of core's `DailyUsageBody` and returns it typed.
 * Throws a `TypeError` naming the first bad field.
 */
export function parseDailyUsageBody(value: unknown): DailyUsageBody {
  if (typeof value !== 'object' || value === null) throw new TypeError('Daily usage: expected a JSON object')
  const { days } = value as { days?: unknown }
  if (!Array.isArray(days)) throw new TypeError('Daily usage: "days" must be an array')
  days.forEach((d: unknown, i) => {
    const day = d as { date?: unknown; credits?: unknown } | null
    if (typeof day?.date !== 'string' || typeof day.credits !== 'number') {
      throw new TypeError(`Daily usage: days[${i}] must be { date, credits }`)
    }
  })
  return value as DailyUsageBody
}
