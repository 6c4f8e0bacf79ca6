import {
  type ChargeRequest,
  isUnlimited,
  ledgerBucketStart,
  type RefundRequest,
  type StoreWindow,
} from '@x/api-billing-core'
import { type ClientKeys, counterKey } from './client-keys.js'
import { escapeKeyPart } from './escape-key-part.js'
import { grantKeyId } from './grant-ids.js'
import { scriptCommand } from './redis-connection.js'
import type { RedisScript } from './redis-script.js'
import { CHARGE_FIXED_KEYS } from './scripts/charge-script.js'

/** Index entries of counters that end this long before a charge may be dropped once their key expired. */
export const STALE_INDEX_MS = 86_400_000
/** A counter outlives its window by the window's length, but at least by this much. */
const MIN_COUNTER_MARGIN_MS = 60_000

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

/**
 * The part of a charge command that the plain and the credit charge scripts share: `EVALSHA sha numkeys`,
 * the fixed keys, the window counters' keys, then the charge's own arguments. The caller appends each
 * window's arguments. `fixedKeys` are the script's fixed keys, in the order it reads them.
 */
export function chargeCommandHead(
  script: RedisScript,
  keys: ClientKeys,
  fixedKeys: readonly string[],
  request: ChargeRequest,
): string[] {
  const { windows, at } = request
  const claim = request.idempotency
  const command = scriptCommand(script, fixedKeys)
  command[2] = String(fixedKeys.length + windows.length)
  for (const w of windows) command.push(counterKey(keys, w.duration, w.start))
  command.push(
    String(request.cost),
    String(at),
    String(ledgerBucketStart(at)),
    claim === undefined ? '' : escapeKeyPart(claim.key),
    claim === undefined ? '0' : String(claim.expiresAt),
    keys.id,
    String(at - STALE_INDEX_MS),
    keys.base,
  )
  return command
}

/**
 * The whole charge command for `request`: `EVALSHA sha numkeys keys... args...`, built in one array
 * (this is the hot path), in the order the charge script reads them. Charges with an overflow window take
 * `creditChargeCommand` instead.
 */
export function chargeCommand(script: RedisScript, keys: ClientKeys, request: ChargeRequest): string[] {
  const command = chargeCommandHead(script, keys, chargeFixedKeys(keys), request)
  const { at } = request
  for (const w of request.windows) {
    command.push(
      isUnlimited(w.limit) ? '-1' : String(w.limit),
      String(counterTtlMs(w, at)),
      `${w.duration}:${w.start}`,
      String(w.end),
    )
  }
  return command
}

/** The charge script's fixed keys ({@link CHARGE_FIXED_KEYS} of them), in the order it reads them. */
export function chargeFixedKeys(keys: ClientKeys): string[] {
  return [
    keys.idempotency,
    keys.idempotencyIndex,
    keys.ledger,
    keys.ledgerIndex,
    keys.counterIndex,
    keys.slotClients,
  ]
}

/** The whole refund command for `request`, in the order the refund script reads it. */
export function refundCommand(script: RedisScript, keys: ClientKeys, request: RefundRequest): string[] {
  const list = [
    keys.idempotency,
    keys.idempotencyIndex,
    keys.ledger,
    keys.refunds,
    keys.slotClients,
    keys.liveGrants,
  ]
  for (const w of request.windows) list.push(counterKey(keys, w.duration, w.start))
  const command = scriptCommand(script, list)
  const restore = request.restore ?? []
  command.push(
    String(request.credits),
    String(ledgerBucketStart(request.at)),
    escapeKeyPart(request.refundKey),
    String(request.refundKeyExpiresAt),
    request.idempotencyKey === undefined ? '' : escapeKeyPart(request.idempotencyKey),
    keys.id,
    String(restore.reduce((sum, r) => sum + r.credits, 0)),
    String(request.overage ?? 0),
    String(request.now),
    keys.base,
  )
  for (const r of restore) command.push(grantKeyId(r.grantId), String(r.credits))
  return command
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
    keys.liveGrants,
    keys.allGrants,
    keys.grantKeys,
  ]
}
