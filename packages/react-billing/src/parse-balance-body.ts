import type { BalanceBody } from './balance-body.js'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function isInstant(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
}

function isGrant(g: unknown): boolean {
  return (
    isObject(g) &&
    typeof g.id === 'string' &&
    isFiniteNumber(g.credits) &&
    isFiniteNumber(g.remaining) &&
    isInstant(g.effectiveAt) &&
    isInstant(g.grantedAt) &&
    (g.expiresAt === undefined || isInstant(g.expiresAt)) &&
    (g.note === undefined || typeof g.note === 'string')
  )
}

/**
 * Checks that a fetched JSON value has the shape of a {@link BalanceBody} (what a balance route sends)
 * and returns it typed. Throws a `TypeError` naming the first bad field.
 */
export function parseBalanceBody(value: unknown): BalanceBody {
  if (!isObject(value)) throw new TypeError('Balance: expected a JSON object')
  if (!isFiniteNumber(value.available)) throw new TypeError('Balance: "available" must be a number')
  if (!Array.isArray(value.grants)) throw new TypeError('Balance: "grants" must be an array')
  if (value.at !== undefined && (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at)))) {
    throw new TypeError('Balance: "at" must be an ISO-8601 instant')
  }
  if (value.lowBalance !== undefined && !isFiniteNumber(value.lowBalance)) {
    throw new TypeError('Balance: "lowBalance" must be a number')
  }
  value.grants.forEach((g: unknown, i) => {
    if (!isGrant(g)) throw new TypeError(`Balance: grants[${i}] is not a credit grant`)
  })
  return value as unknown as BalanceBody
}
