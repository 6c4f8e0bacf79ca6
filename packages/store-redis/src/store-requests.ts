import {
  type ChargeRequest,
  isUnlimited,
  ledgerBucketStart,
  type RefundRequest,
  type StoreWindow,
} from '@x/api-billing-core'
import { type ClientKeys, counterKey } from './client-keys.js'
import { escapeKeyPart } from './escape-key-part.js'

/** Index entries of counters that end this long before a charge may be dropped once their key expired. */
const STALE_INDEX_MS = 86_400_000
/** A counter outlives its window by the window's length, but at least by this much. */
const MIN_COUNTER_MARGIN_MS = 60_000

/** Keys and arguments of one script run. */
export interface ScriptCall {
  readonly keys: string[]
  readonly args: string[]
}

/**
 * How long a counter lives from the charge at `at`: to the window's end plus a margin (the window's
 * length, at least a minute), so an instance whose clock lags a little still finds it. Relative to
 * `at` rather than an absolute instant, so an engine clock that differs from the server's (or a test
 * clock in the past) never makes a fresh counter expire at once.
 */
export function counterTtlMs(window: StoreWindow, at: number): number {
  const margin = Math.max(window.end - window.start, MIN_COUNTER_MARGIN_MS)
  return Math.max(1_000, Math.ceil(window.end - at + margin))
}

/** The charge script's keys and arguments for `request`. */
export function chargeCall(keys: ClientKeys, request: ChargeRequest): ScriptCall {
  const { windows, cost, at } = request
  const claim = request.idempotency
  const list = [
    keys.idempotency,
    keys.idempotencyIndex,
    keys.ledger,
    keys.ledgerIndex,
    keys.counterIndex,
    keys.slotClients,
  ]
  const args = [
    String(cost),
    String(at),
    String(ledgerBucketStart(at)),
    claim === undefined ? '' : escapeKeyPart(claim.key),
    claim === undefined ? '0' : String(claim.expiresAt),
    keys.id,
    String(at - STALE_INDEX_MS),
    keys.base,
  ]
  for (const w of windows) {
    list.push(counterKey(keys, w.duration, w.start))
    args.push(
      isUnlimited(w.limit) ? '-1' : String(w.limit),
      String(counterTtlMs(w, at)),
      `${w.duration}:${w.start}`,
      String(w.end),
    )
  }
  return { keys: list, args }
}

/** The refund script's keys and arguments for `request`. */
export function refundCall(keys: ClientKeys, request: RefundRequest): ScriptCall {
  const list = [keys.idempotency, keys.idempotencyIndex, keys.ledger, keys.refunds, keys.slotClients]
  for (const w of request.windows) list.push(counterKey(keys, w.duration, w.start))
  const args = [
    String(request.credits),
    String(ledgerBucketStart(request.at)),
    escapeKeyPart(request.refundKey),
    String(request.refundKeyExpiresAt),
    request.idempotencyKey === undefined ? '' : escapeKeyPart(request.idempotencyKey),
    keys.id,
  ]
  return { keys: list, args }
}

/** The keys the delete and purge scripts take, in their order. */
export function maintenanceKeys(keys: ClientKeys): string[] {
  return [
    keys.idempotency,
    keys.idempotencyIndex,
    keys.ledger,
    keys.ledgerIndex,
    keys.counterIndex,
    keys.refunds,
    keys.slotClients,
  ]
}
