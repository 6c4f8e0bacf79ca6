const SETTERS = [
  'setDate',
  'setFullYear',
  'setHours',
  'setMilliseconds',
  'setMinutes',
  'setMonth',
  'setSeconds',
  'setTime',
  'setUTCDate',
  'setUTCFullYear',
  'setUTCHours',
  'setUTCMilliseconds',
  'setUTCMinutes',
  'setUTCMonth',
  'setUTCSeconds',
  'setYear',
] as const

/**
 * A `Date` whose setters throw: the window bounds of a decision are shared by every decision made in
 * that window (one pair of objects per window instead of two new `Date`s per request), so they must
 * not change. Everything else is a plain `Date` (`instanceof Date`, `getTime`, `toISOString`, JSON).
 */
export class ImmutableDate extends Date {}

for (const name of SETTERS) {
  Object.defineProperty(ImmutableDate.prototype, name, {
    value(): never {
      throw new TypeError(`Date.prototype.${name}: this Date belongs to a billing decision and is read-only`)
    },
    writable: false,
    enumerable: false,
    configurable: false,
  })
}
