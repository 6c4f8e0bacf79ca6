import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import type { UsageRow } from './usage-export.js'
import { describeValue } from './validate.js'

/**
 * The body of one Stripe meter event (`POST /v1/billing/meter_events`, or one item of a v2 meter event
 * stream once `timestamp` is turned into an ISO string), built without the Stripe SDK.
 */
export interface StripeMeterEvent {
  /** The meter's `event_name`. */
  readonly event_name: string
  /** A deterministic id per event name, client and period: Stripe drops a repeat as a duplicate. */
  readonly identifier: string
  /** The period's start, in whole seconds since the Unix epoch. */
  readonly timestamp: number
  /** Stripe's default payload keys; the value is a whole number, as a string. */
  readonly payload: { readonly stripe_customer_id: string; readonly value: string }
}

/** Options of {@link stripeMeterEvents}. */
export interface StripeMeterEventOptions {
  /** The meter's event name (1 to 100 characters). */
  readonly eventName: string
  /**
   * The Stripe customer (`cus_…`) billed for a client id; `undefined` skips that client's rows (a client
   * that is not billed through Stripe).
   */
  readonly customerId: (clientId: string) => string | undefined
  /** Which amount of the row is metered: all `credits`, or only the `overage`. Default `'credits'`. */
  readonly value?: 'credits' | 'overage'
  /**
   * Multiplies the amount before it is sent. Stripe meters accept whole numbers only, so with a
   * fractional `creditScale` pass the scale (e.g. 1000) and price the meter per milli-credit. Default 1.
   */
  readonly valueMultiplier?: number
}

/** Stripe's longest `event_name` and `identifier`. */
const STRIPE_MAX_LENGTH = 100
/** How far from a whole number a multiplied amount may be and still count as one (floating-point noise). */
const TOLERANCE = 1e-9

/**
 * Turns usage rows (from `exportUsage`) into Stripe meter event bodies, one per row whose metered amount
 * is not zero, in the rows' order. Needs no Stripe SDK: send each with your own client.
 *
 * `identifier` is `usage_` and the SHA-256 (hex) of the event name, client id and the period's start and
 * end: the same for every export of the same period, different for every other client, period or meter,
 * and 70 characters whatever the client id's length (Stripe allows 100). Stripe drops an event whose
 * identifier it has seen — but it only promises to remember identifiers for a rolling 24 hours or more,
 * so a period exported again days later is billed again: keep your own record of what was sent, and
 * export each period once, after it has closed (a later refund in a sent period is not sent again).
 *
 * `timestamp` is the period's start, in seconds: every second of a period's usage happened at or after
 * it, it places the usage in the Stripe billing period its first second belongs to, and it is never in
 * the future (Stripe rejects timestamps over 5 minutes ahead, which the end of the current period is).
 * Stripe also rejects timestamps older than 35 days: export at least monthly, well within that.
 *
 * Values must be whole numbers (Stripe's usage values accept only those); an amount that is not, after
 * `valueMultiplier`, is rejected rather than rounded, so no credit is silently lost or invented.
 * @throws InvalidArgumentError (at once) for bad options; (while iterating) for a fractional value, an
 * empty or non-string customer id.
 */
export function stripeMeterEvents(
  rows: Iterable<UsageRow> | AsyncIterable<UsageRow>,
  options: StripeMeterEventOptions,
): AsyncGenerator<StripeMeterEvent, void, undefined> {
  checkOptions(options)
  return meterEvents(rows, options)
}

async function* meterEvents(
  rows: Iterable<UsageRow> | AsyncIterable<UsageRow>,
  options: StripeMeterEventOptions,
): AsyncGenerator<StripeMeterEvent, void, undefined> {
  const { eventName, customerId, value = 'credits', valueMultiplier = 1 } = options
  for await (const row of rows) {
    const amount = wholeValue(row[value] * valueMultiplier, row)
    if (amount === 0) continue
    const customer = customerId(row.clientId)
    if (customer === undefined) continue
    if (typeof customer !== 'string' || customer.length === 0) {
      throw new InvalidArgumentError(
        'options.customerId',
        `returned ${describeValue(customer)} for client ${describeValue(row.clientId)}; expected a customer id or undefined`,
      )
    }
    yield {
      event_name: eventName,
      identifier: await meterEventIdentifier(eventName, row),
      timestamp: Math.floor(row.start.getTime() / 1000),
      payload: { stripe_customer_id: customer, value: String(amount) },
    }
  }
}

/**
 * The deterministic `identifier` of the meter event for `row` under `eventName`: `usage_` and the hex
 * SHA-256 of `[eventName, clientId, start ms, end ms]` as JSON (an unambiguous encoding of the four).
 */
export async function meterEventIdentifier(eventName: string, row: UsageRow): Promise<string> {
  const key = JSON.stringify([eventName, row.clientId, row.start.getTime(), row.end.getTime()])
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))
  let hex = 'usage_'
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

function checkOptions(options: StripeMeterEventOptions): void {
  const { eventName, customerId, value, valueMultiplier } = options
  if (typeof eventName !== 'string' || eventName.length === 0 || eventName.length > STRIPE_MAX_LENGTH) {
    throw new InvalidArgumentError(
      'options.eventName',
      `expected Stripe's meter event name (1 to ${STRIPE_MAX_LENGTH} characters), got ${describeValue(eventName)}`,
    )
  }
  if (typeof customerId !== 'function') {
    throw new InvalidArgumentError('options.customerId', 'expected a function from client id to customer id')
  }
  if (value !== undefined && value !== 'credits' && value !== 'overage') {
    throw new InvalidArgumentError(
      'options.value',
      `expected 'credits' or 'overage', got ${describeValue(value)}`,
    )
  }
  if (
    valueMultiplier !== undefined &&
    (typeof valueMultiplier !== 'number' || !Number.isFinite(valueMultiplier) || valueMultiplier <= 0)
  ) {
    throw new InvalidArgumentError(
      'options.valueMultiplier',
      `expected a positive number, got ${describeValue(valueMultiplier)}`,
    )
  }
}

function wholeValue(amount: number, row: UsageRow): number {
  const whole = Math.round(amount)
  if (Math.abs(amount - whole) > TOLERANCE * Math.max(1, Math.abs(amount)) || !Number.isSafeInteger(whole)) {
    throw new InvalidArgumentError(
      'options.valueMultiplier',
      `Stripe meters take whole numbers; client ${describeValue(row.clientId)} has ${amount} at ${row.start.toISOString()} (set valueMultiplier to the engine's creditScale)`,
    )
  }
  return whole
}
