import type { Decision, QuotaDuration, QuotaOverflow } from '@x/api-billing-core'
import { quotaStatusBody, tightestFirst } from '@x/api-billing-core'
import type { BalanceBody } from '../balance-body.js'
import type { QuotaStatusView } from '../quota-status-view.js'

/** The server's clock in the fixtures: Monday 10 March 2025, 10:48 UTC. */
export const AT = '2025-03-10T10:48:00.000Z'

/** A window for {@link statusOf}; `limit: Infinity` is unlimited. */
export interface WindowSpec {
  readonly duration: QuotaDuration
  readonly limit: number
  readonly used: number
  readonly start: string
  readonly resetAt: string
  /** Default `'reject'`. */
  readonly overflow?: QuotaOverflow
  /** Default `0` for `'reject'`, `Infinity` (unlimited) otherwise. */
  readonly overageLimit?: number
}

/** A day window of `limit` credits renewing at 14:00 UTC (3 h 12 min after {@link AT}). */
export function dayWindow(limit: number, used: number): WindowSpec {
  return {
    duration: 'day',
    limit,
    used,
    start: '2025-03-09T14:00:00.000Z',
    resetAt: '2025-03-10T14:00:00.000Z',
  }
}

/** A month window of `limit` credits renewing on 1 April 2025. */
export function monthWindow(limit: number, used: number): WindowSpec {
  return {
    duration: 'month',
    limit,
    used,
    start: '2025-03-01T00:00:00.000Z',
    resetAt: '2025-04-01T00:00:00.000Z',
  }
}

/** `spec` as an overflow window: `'bill'` (with an `overageLimit`, default unlimited) or `'balance'`. */
export function overflowing(spec: WindowSpec, overflow: QuotaOverflow, overageLimit?: number): WindowSpec {
  return { ...spec, overflow, ...(overageLimit === undefined ? {} : { overageLimit }) }
}

/** A core decision (cost 0: a status read) over the given windows at `at`, with a prepaid `balance`. */
export function decisionOf(windows: readonly WindowSpec[], at = AT, balance?: number): Decision {
  const usage = windows.map((w) => {
    const overflow = w.overflow ?? 'reject'
    return {
      duration: w.duration,
      limit: w.limit,
      used: w.used,
      remaining: Math.max(0, w.limit - w.used),
      start: new Date(w.start),
      resetAt: new Date(w.resetAt),
      overflow,
      overageLimit: overflow === 'reject' ? 0 : (w.overageLimit ?? Number.POSITIVE_INFINITY),
    }
  })
  const partial: Decision = {
    clientId: 'acme',
    allowed: true,
    cost: 0,
    remaining: Number.POSITIVE_INFINITY,
    resetAt: new Date(at),
    at: new Date(at),
    windows: usage,
    replayed: false,
    fromBalance: 0,
    overage: 0,
    balance,
    rejectedBy: undefined,
    spentGrants: [],
  }
  const tightest = tightestFirst(partial)[0]
  return {
    ...partial,
    allowed: usage.every((w) => w.remaining >= 1),
    remaining: tightest?.remaining ?? Number.POSITIVE_INFINITY,
    resetAt: tightest?.resetAt ?? new Date(at),
  }
}

/** The JSON the status route sends for these windows, built by core's own `quotaStatusBody`. */
export function statusOf(windows: readonly WindowSpec[], at = AT, balance?: number): QuotaStatusView {
  return quotaStatusBody(decisionOf(windows, at, balance))
}

/**
 * A balance route's body at {@link AT}, grants in spending order: 300 of 500 left expiring on
 * 31 March, 50 of 50 never expiring, and 200 pending until 12:00 UTC today (not in `available`).
 */
export function balanceOf(lowBalance?: number): BalanceBody {
  return {
    available: 350,
    grants: [
      {
        id: 'grant_a',
        credits: 500,
        remaining: 300,
        effectiveAt: '2025-03-01T00:00:00.000Z',
        expiresAt: '2025-03-31T00:00:00.000Z',
        grantedAt: '2025-03-01T00:00:00.000Z',
        note: 'March top-up',
      },
      {
        id: 'grant_b',
        credits: 50,
        remaining: 50,
        effectiveAt: '2025-03-05T09:00:00.000Z',
        grantedAt: '2025-03-05T09:00:00.000Z',
      },
      {
        id: 'grant_c',
        credits: 200,
        remaining: 200,
        effectiveAt: '2025-03-10T12:00:00.000Z',
        grantedAt: '2025-03-10T10:00:00.000Z',
      },
    ],
    ...(lowBalance === undefined ? {} : { lowBalance }),
  }
}
