import type { StoreWindow } from '@x/api-billing-core'

/** The instant the store tests charge at: 2026-01-15 12:00 UTC. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
export const MINUTE = 60_000
const DAY = 86_400_000

/** The minute window `i` minutes after the one starting at {@link T0}, with `limit` credits. */
export function minute(limit: number, i = 0): StoreWindow {
  return { duration: 'minute', start: T0 + i * MINUTE, end: T0 + (i + 1) * MINUTE, limit }
}

/** The day window that holds {@link T0}, with `limit` credits (from 12 hours before it to 12 hours after). */
export function day(limit: number): StoreWindow {
  return { duration: 'day', start: T0 - DAY / 2, end: T0 + DAY / 2, limit }
}
