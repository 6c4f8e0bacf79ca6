import type { StoreWindow } from '@x/api-billing-core'

const DAY = 86_400_000
const START = Date.UTC(2026, 0, 15)

/** The unlimited day window the lock-order test charges. */
export const SWEEP_WINDOW: StoreWindow = {
  duration: 'day',
  start: START,
  end: START + DAY,
  limit: Number.POSITIVE_INFINITY,
}
