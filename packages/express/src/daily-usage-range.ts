import { InvalidArgumentError, type LocalDay, localDays } from '@x/api-billing-core'

const DAY_MS = 86_400_000
const DATE = /^\d{4}-\d{2}-\d{2}$/
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i

/** The range and time zone a daily-usage request asks for. */
export interface DailyUsageRange {
  readonly from: Date
  readonly to: Date
  readonly timeZone: string
}

/**
 * Reads `?from&to&timeZone`. `from`/`to` are ISO dates (`2026-03-01`, local days of `timeZone`; a date
 * `to` includes that day) or instants with an offset (`2026-03-01T12:00:00Z`, `to` exclusive).
 * Defaults: `timeZone` UTC, `to` now, `from` the local start of the day `defaultDays - 1` days before
 * the last day of the range (so `defaultDays` days in all).
 * @throws InvalidArgumentError naming the bad query parameter.
 */
export function dailyUsageRange(
  query: Record<string, unknown>,
  now: Date,
  defaultDays: number,
): DailyUsageRange {
  const timeZone = single(query, 'timeZone') ?? 'UTC'
  try {
    localDays(0, 1, timeZone)
  } catch {
    throw new InvalidArgumentError(
      'timeZone',
      `unknown time zone ${JSON.stringify(timeZone)} (expected an IANA name such as "Europe/Berlin")`,
    )
  }
  const fromText = single(query, 'from')
  const toText = single(query, 'to')
  const to = toText === undefined ? now.getTime() : parse(toText, 'to', timeZone, 'end')
  if (fromText !== undefined)
    return { from: new Date(parse(fromText, 'from', timeZone, 'start')), to: new Date(to), timeZone }
  const days = localDays(to - 1 - (defaultDays + 1) * DAY_MS, to, timeZone)
  const first = days[Math.max(0, days.length - defaultDays)] as LocalDay
  return { from: new Date(first.start), to: new Date(to), timeZone }
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') throw new InvalidArgumentError(name, 'expected a single value')
  return value
}

function parse(text: string, name: string, timeZone: string, edge: 'start' | 'end'): number {
  if (DATE.test(text)) {
    const utcMidnight = Date.parse(`${text}T00:00:00Z`)
    const day = Number.isNaN(utcMidnight)
      ? undefined
      : localDays(utcMidnight - 2 * DAY_MS, utcMidnight + 2 * DAY_MS, timeZone).find((d) => d.date === text)
    if (day !== undefined) return edge === 'start' ? day.start : day.end
  } else if (INSTANT.test(text)) {
    const ms = Date.parse(text)
    if (!Number.isNaN(ms)) return ms
  }
  throw new InvalidArgumentError(
    name,
    `expected an ISO date such as 2026-03-01 or an instant with an offset such as 2026-03-01T12:00:00Z, got ${JSON.stringify(text.slice(0, 40))}`,
  )
}
