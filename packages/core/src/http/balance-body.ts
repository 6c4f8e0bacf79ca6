import type { Balance } from '../api-billing.js'
import type { CreditGrant } from '../credit-grant-input.js'

/** One grant as JSON: ISO-8601 instants; `expiresAt` and `note` only when the grant has them. */
export interface CreditGrantJson {
  readonly id: string
  readonly credits: number
  readonly remaining: number
  readonly effectiveAt: string
  readonly expiresAt?: string
  readonly grantedAt: string
  readonly note?: string
}

/**
 * The JSON a balance route sends and `<CreditBalance>` renders: the credits available now, the live grants
 * in spending order (pending ones, `effectiveAt` later, included but not counted), and the line below which
 * the balance is low, when the application has one.
 */
export interface BalanceBody {
  /** ISO-8601 instant the balance was read on the server (a grant whose `effectiveAt` is later is pending). */
  readonly at: string
  readonly available: number
  readonly grants: readonly CreditGrantJson[]
  /** Credits at or below which the balance is low; absent when not configured. */
  readonly lowBalance?: number
}

/** One grant of `getBalance` as JSON. */
export function creditGrantJson(grant: CreditGrant): CreditGrantJson {
  return {
    id: grant.id,
    credits: grant.credits,
    remaining: grant.remaining,
    effectiveAt: grant.effectiveAt.toISOString(),
    ...(grant.expiresAt === undefined ? {} : { expiresAt: grant.expiresAt.toISOString() }),
    grantedAt: grant.grantedAt.toISOString(),
    ...(grant.note === undefined ? {} : { note: grant.note }),
  }
}

/**
 * `ApiBilling.getBalance`'s answer, read at `at` (the engine's `now()`), as the JSON body of a balance route;
 * `lowBalance` default: none.
 */
export function balanceBody(balance: Balance, at: Date, lowBalance?: number): BalanceBody {
  return {
    at: at.toISOString(),
    available: balance.available,
    grants: balance.grants.map(creditGrantJson),
    ...(lowBalance === undefined ? {} : { lowBalance }),
  }
}
