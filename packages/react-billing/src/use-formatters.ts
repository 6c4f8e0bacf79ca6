import { useMemo } from 'react'
import { useHydrated } from './use-hydrated.js'

/** Number and date formatters for the viewer, see {@link useFormatters}. */
export interface Formatters {
  /** Formats a credit amount (grouping, up to 2 decimals). */
  readonly number: (value: number) => string
  /** Formats an instant (ISO-8601 string) as a short date and time with the time zone's name. */
  readonly dateTime: (iso: string) => string
  /** Formats a `YYYY-MM-DD` calendar date as a short month and day. */
  readonly day: (date: string) => string
  /** Formats a `YYYY-MM-DD` calendar date in full, e.g. for a table cell. */
  readonly longDay: (date: string) => string
}

/**
 * Intl formatters for `locale` and `timeZone`, defaulting to the viewer's. The viewer's defaults are
 * unknown to the server, so until hydration is done they are `en-US` and `UTC`: server and first
 * client render print the same text, then the viewer's locale and zone take over.
 */
export function useFormatters(locale?: string, timeZone?: string): Formatters {
  const hydrated = useHydrated()
  const effectiveLocale = locale ?? (hydrated ? undefined : 'en-US')
  const effectiveZone = timeZone ?? (hydrated ? undefined : 'UTC')
  return useMemo(() => {
    const number = new Intl.NumberFormat(effectiveLocale, { maximumFractionDigits: 2 })
    const dateTime = new Intl.DateTimeFormat(effectiveLocale, {
      timeZone: effectiveZone,
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
    })
    // Calendar dates are not instants: format them at UTC midnight in UTC, whatever the viewer's zone.
    const day = new Intl.DateTimeFormat(effectiveLocale, { timeZone: 'UTC', month: 'short', day: 'numeric' })
    const longDay = new Intl.DateTimeFormat(effectiveLocale, { timeZone: 'UTC', dateStyle: 'medium' })
    // An unparsable value is shown as it came rather than throwing in render.
    const safe = (format: Intl.DateTimeFormat, date: Date, raw: string) =>
      Number.isNaN(date.getTime()) ? raw : format.format(date)
    return {
      number: (value) => number.format(value),
      dateTime: (iso) => safe(dateTime, new Date(iso), iso),
      day: (date) => safe(day, new Date(`${date}T00:00:00Z`), date),
      longDay: (date) => safe(longDay, new Date(`${date}T00:00:00Z`), date),
    }
  }, [effectiveLocale, effectiveZone])
}
