import type { ApiBilling } from '@x/api-billing-core'

/** Builds the self-explaining `TypeError` thrown for a bad option at construction. */
export function optionError(factory: string, option: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${factory}: ${option} must be ${expected}; got ${show(value)}`)
}

/** Throws unless `billing` is an `ApiBilling` engine. */
export function checkBilling(factory: string, billing: unknown): asserts billing is ApiBilling {
  if (typeof (billing as Partial<ApiBilling> | null)?.tryTrackClientUsage !== 'function') {
    throw optionError(
      factory,
      'the first argument',
      'an ApiBilling engine, e.g. new ApiBilling({ store: new MemoryUsageStore() })',
      billing,
    )
  }
}

/** Throws unless `options` is an object with a `clientId` function. */
export function checkClientIdOption(factory: string, options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw optionError(
      factory,
      'options',
      "an object such as { clientId: (req) => req.get('x-api-key') }",
      options,
    )
  }
  const { clientId } = options as { clientId?: unknown }
  if (typeof clientId !== 'function') {
    throw optionError(
      factory,
      'options.clientId',
      "a function returning the caller's client id, e.g. (req) => req.get('x-api-key')",
      clientId,
    )
  }
}

/** Throws unless `value` is `undefined` or a boolean. */
export function checkOptionalBoolean(factory: string, option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean')
    throw optionError(factory, option, 'true or false', value)
}

/** Throws unless `value` is `undefined` or a function. */
export function checkOptionalFunction(
  factory: string,
  option: string,
  value: unknown,
  example: string,
): void {
  if (value !== undefined && typeof value !== 'function') {
    throw optionError(factory, option, `a function, e.g. ${example}`, value)
  }
}

/** Throws unless `value` is `undefined` or `{ standard?: boolean, legacy?: boolean }`. */
export function checkHeadersOption(factory: string, value: unknown): void {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null) {
    throw optionError(
      factory,
      'options.headers',
      'an object such as { standard: true, legacy: false }',
      value,
    )
  }
  const { standard, legacy } = value as { standard?: unknown; legacy?: unknown }
  checkOptionalBoolean(factory, 'options.headers.standard', standard)
  checkOptionalBoolean(factory, 'options.headers.legacy', legacy)
}

/** Throws unless `value` is `undefined` or an HTTP error status (a whole number from 400 to 599). */
export function checkOptionalErrorStatus(factory: string, option: string, value: unknown): void {
  if (
    value !== undefined &&
    !(Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599)
  ) {
    throw optionError(factory, option, 'an HTTP error status from 400 to 599, e.g. 402', value)
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : `an object (${value.constructor?.name ?? 'Object'})`
}
