import type { Decision, QuotaDuration, QuotaStatusBody } from '@x/api-billing-core'
import { quotaStatusBody, tightestFirst } from '@x/api-billing-core'

/** The server's clock in the fixtures: Monday 10 March 2025, 10:48 UTC. */
export const AT = '2025-03-10T10:48:00.000Z'

/** A window for {@link statusOf}; `limit: Infinity` is unlimited. */
export interface WindowSpec {
  readonly duration: QuotaDuration
  readonly limit: number
  readonly used: number
  readonly start: string
  readonly resetAt: string
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

/** A core decision (cost 0: a status read) over the given windows at `at`. */
export function decisionOf(windows: readonly WindowSpec[], at = AT): Decision {
  const usage = windows.map((w) => ({
    duration: w.duration,
    limit: w.limit,
    used: w.used,
    remaining: Math.max(0, w.limit - w.used),
    start: new Date(w.start),
    resetAt: new Date(w.resetAt),
  }))
  const partial: Decision = {
    clientId: 'acme',
    allowed: true,
    cost: 0,
    remaining: Number.POSITIVE_INFINITY,
    resetAt: new Date(at),
    at: new Date(at),
    windows: usage,
    replayed: false,
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
export function statusOf(windows: readonly WindowSpec[], at = AT): QuotaStatusBody {
  return quotaStatusBody(decisionOf(windows, at))
}
