import { InvalidArgumentError } from './errors/invalid-argument-error.js'

/** Throws unless `value` is a non-empty string: a client id (`argument` defaults to `'clientId'`). */
export function assertClientId(value: unknown, argument = 'clientId'): asserts value is string {
  assertNonEmptyString(value, argument)
}

/**
 * Throws unless `value` is a non-empty string. The error is made elsewhere, so that this check, made on
 * every request, stays small enough for V8 to inline.
 */
export function assertNonEmptyString(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw notANonEmptyString(value, argument)
}

function notANonEmptyString(value: unknown, argument: string): InvalidArgumentError {
  return new InvalidArgumentError(argument, `expected a non-empty string, got ${describeValue(value)}`)
}

/** Throws unless `value` is a finite, non-negative number: an amount of credits, whole or not. */
export function assertCreditAmount(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(
      argument,
      `expected a finite number of credits, got ${describeValue(value)}`,
    )
  }
  if (value < 0) throw new InvalidArgumentError(argument, `credits cannot be negative, got ${value}`)
}

/** Throws unless `value` is a non-negative safe integer (credits are whole numbers). */
export function assertCredits(value: unknown, argument: string): asserts value is number {
  assertCreditAmount(value, argument)
  if (!Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(
      argument,
      `credits are whole numbers (set the engine's creditScale for fractions), got ${value}`,
    )
  }
}

/** Throws unless `value` is a `Date` holding a real instant; returns its epoch milliseconds. */
export function toEpochMs(value: unknown, argument: string): number {
  if (!(value instanceof Date))
    throw new InvalidArgumentError(argument, `expected a Date, got ${describeValue(value)}`)
  const ms = value.getTime()
  if (Number.isNaN(ms)) throw new InvalidArgumentError(argument, 'the Date is invalid')
  return ms
}

const knownZones = new Set<string>()

/** Throws unless `value` names an IANA time zone (or a fixed offset such as `+05:30`) this runtime knows. */
export function assertTimeZone(value: unknown, argument = 'timeZone'): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(argument, `expected an IANA time zone name, got ${describeValue(value)}`)
  }
  if (knownZones.has(value)) return
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value })
  } catch {
    throw new InvalidArgumentError(
      argument,
      `unknown time zone ${describeValue(value)} (expected an IANA name such as "Europe/Berlin")`,
    )
  }
  knownZones.add(value)
}

/** A short, safe rendering of a rejected value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`
}
