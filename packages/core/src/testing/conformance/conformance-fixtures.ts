import type { GrantSpend, StoredGrant } from '../../credit-grant.js'
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

/** A month window that overflows into the balance past `limit`, starting 14 days before {@link T0}. */
export const prepaid = (limit: number, start = T0 - 14 * DAY): StoreWindow => ({
  duration: 'month',
  start,
  end: start + 31 * DAY,
  limit,
  overflow: 'balance',
})

/** A month window whose excess past `limit` is billed, up to `overageLimit`. */
export const billed = (limit: number, overageLimit?: number, start = T0 - 14 * DAY): StoreWindow => ({
  duration: 'month',
  start,
  end: start + 31 * DAY,
  limit,
  overflow: 'bill',
  ...(overageLimit === undefined ? {} : { overageLimit }),
})

/** A grant of `credits` with id `id`, effective from a day before {@link T0}, granted at `grantedAt`. */
export function grant(id: string, credits: number, extra: Partial<StoredGrant> = {}): StoredGrant {
  return {
    id,
    credits,
    remaining: credits,
    effectiveAt: T0 - DAY,
    expiresAt: undefined,
    grantedAt: T0 - DAY,
    note: undefined,
    ...extra,
  }
}

/** `{ grantId: remaining }` of the client's live grants at `now` (default {@link T0}), in spending order. */
export async function remainingByGrant(
  store: UsageStore,
  clientId: string,
  now = T0,
): Promise<[string, number][]> {
  return (await store.listGrants(clientId, now)).map((g) => [g.id, g.remaining])
}

/** The sums of all of a client's ledger buckets, field by field. */
export async function ledgerSums(
  store: UsageStore,
  clientId: string,
): Promise<{ credits: number; fromBalance: number; overage: number }> {
  const buckets = await store.readUsage({
    clientId,
    from: Number.MIN_SAFE_INTEGER,
    to: Number.MAX_SAFE_INTEGER,
  })
  const sums = { credits: 0, fromBalance: 0, overage: 0 }
  for (const b of buckets) {
    sums.credits += b.credits
    sums.fromBalance += b.fromBalance
    sums.overage += b.overage
  }
  return sums
}

/** A refund of `credits` charged at {@link T0} in `windows`, once per `key`, restoring `restore`. */
export function refundOf(
  clientId: string,
  windows: StoreWindow[],
  credits: number,
  key: string,
  extra: { restore?: GrantSpend[]; overage?: number; now?: number } = {},
) {
  return {
    clientId,
    windows,
    credits,
    at: T0,
    refundKey: key,
    refundKeyExpiresAt: T0 + DAY,
    now: extra.now ?? T0,
    ...(extra.restore === undefined ? {} : { restore: extra.restore }),
    ...(extra.overage === undefined ? {} : { overage: extra.overage }),
  }
}
