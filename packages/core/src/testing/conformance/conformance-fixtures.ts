import type { ChargeRequest, StoreWindow, UsageStore } from '../../usage-store.js'

/** The instant most conformance tests charge at: 2026-01-15T12:00:00Z (epoch ms). */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
/** One minute in ms. */
export const MINUTE = 60_000
/** One hour in ms. */
export const HOUR = 3_600_000
/** One day in ms. */
export const DAY = 86_400_000

function win(duration: StoreWindow['duration'], start: number, length: number, limit: number): StoreWindow {
  return { duration, start, end: start + length, limit }
}

/** A minute window with `limit` credits, starting at `start` (default {@link T0}). */
export const minute = (limit: number, start = T0): StoreWindow => win('minute', start, MINUTE, limit)

/** A day window with `limit` credits, starting at `start` (default 12 hours before {@link T0}). */
export const day = (limit: number, start = T0 - 12 * HOUR): StoreWindow => win('day', start, DAY, limit)

/** A charge of `cost` (default 1) credits at {@link T0} in `windows`; `extra` overrides any field. */
export function charge(
  clientId: string,
  windows: StoreWindow[],
  cost = 1,
  extra: Partial<ChargeRequest> = {},
): ChargeRequest {
  return { clientId, windows, cost, at: T0, ...extra }
}

/** The sum of all of a client's ledger buckets. */
export async function ledgerTotal(store: UsageStore, clientId: string): Promise<number> {
  const buckets = await store.readUsage({
    clientId,
    from: Number.MIN_SAFE_INTEGER,
    to: Number.MAX_SAFE_INTEGER,
  })
  return buckets.reduce((sum, b) => sum + b.credits, 0)
}
