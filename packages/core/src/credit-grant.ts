/**
 * A grant of prepaid credits as a store keeps it: epoch milliseconds and whole (scaled) credits. The
 * engine hands it out as a `CreditGrant` (Dates, unscaled credits).
 */
export interface StoredGrant {
  /** Unique id, made by the engine (`grant_` and a random UUID). */
  readonly id: string
  /** Credits granted: a positive safe integer. */
  readonly credits: number
  /** Credits not spent yet: `0 ≤ remaining ≤ credits`. */
  readonly remaining: number
  /** When the grant may first be spent (epoch ms). */
  readonly effectiveAt: number
  /** When it can no longer be spent (epoch ms, exclusive); `undefined`: never. */
  readonly expiresAt: number | undefined
  /** When it was granted (epoch ms): among grants expiring together, the oldest is spent first. */
  readonly grantedAt: number
  /** The caller's note (e.g. "welcome credits", an invoice number); `undefined`: none. */
  readonly note: string | undefined
}

/** Arguments of `UsageStore.grantCredits`. */
export interface GrantRequest {
  readonly clientId: string
  /** The grant to store, with `remaining` equal to `credits`. */
  readonly grant: StoredGrant
  /**
   * Makes the grant once: if the client already has a grant made with this key, that grant is returned
   * and nothing is stored. Kept as long as the grant. Default: none.
   */
  readonly idempotencyKey?: string
}

/** Credits one charge took from one grant (or, in a refund, gives back to it). */
export interface GrantSpend {
  readonly grantId: string
  readonly credits: number
}

/**
 * The spending order of grants, the one rule every store follows: the earliest expiry first (a grant
 * that never expires last), then the oldest (`grantedAt`), then by id, so the order is total. Negative
 * when `a` is spent before `b`.
 */
export function compareGrants(a: StoredGrant, b: StoredGrant): number {
  const aExpires = a.expiresAt ?? Number.POSITIVE_INFINITY
  const bExpires = b.expiresAt ?? Number.POSITIVE_INFINITY
  if (aExpires !== bExpires) return aExpires < bExpires ? -1 : 1
  if (a.grantedAt !== b.grantedAt) return a.grantedAt - b.grantedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/**
 * Whether `grant` may be spent at `at` (epoch ms): effective (`effectiveAt ≤ at`), not expired
 * (`at < expiresAt`) and with credits left. A voided grant is never handed to this check (stores drop it).
 */
export function isSpendable(grant: StoredGrant, at: number): boolean {
  return (
    grant.remaining > 0 && grant.effectiveAt <= at && (grant.expiresAt === undefined || at < grant.expiresAt)
  )
}
