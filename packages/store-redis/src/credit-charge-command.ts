import { type ChargeRequest, isUnlimited, ledgerBucketStart, type StoreWindow } from '@x/api-billing-core'
import { type ClientKeys, counterKey } from './client-keys.js'
import { escapeKeyPart } from './escape-key-part.js'
import { scriptCommand } from './redis-connection.js'
import type { RedisScript } from './redis-script.js'
import { CREDIT_CHARGE_FIXED_KEYS } from './scripts/credit-charge-script.js'
import { counterTtlMs, STALE_INDEX_MS } from './store-requests.js'

/** Whether a charge has a window with `overflow`: it then takes the credit path. */
export function hasOverflowWindow(windows: readonly StoreWindow[]): boolean {
  for (const w of windows) if (w.overflow !== undefined) return true
  return false
}

const OVERFLOW_CODES = { balance: '1', bill: '2' } as const

/**
 * The whole credit charge command for `request` (a charge with an overflow window): `EVALSHA` of the
 * credit charge script with its keys and arguments, in the order the script reads them.
 */
export function creditChargeCommand(script: RedisScript, keys: ClientKeys, request: ChargeRequest): string[] {
  const { windows, cost, at } = request
  const claim = request.idempotency
  const command = scriptCommand(script, [
    keys.idempotency,
    keys.idempotencyIndex,
    keys.ledger,
    keys.ledgerIndex,
    keys.counterIndex,
    keys.slotClients,
    keys.liveGrants,
  ])
  command[2] = String(CREDIT_CHARGE_FIXED_KEYS + windows.length)
  for (const w of windows) command.push(counterKey(keys, w.duration, w.start))
  command.push(
    String(cost),
    String(at),
    String(ledgerBucketStart(at)),
    claim === undefined ? '' : escapeKeyPart(claim.key),
    claim === undefined ? '0' : String(claim.expiresAt),
    keys.id,
    String(at - STALE_INDEX_MS),
    keys.base,
  )
  for (const w of windows) {
    const overageLimit = w.overageLimit ?? Number.POSITIVE_INFINITY
    command.push(
      isUnlimited(w.limit) ? '-1' : String(w.limit),
      String(counterTtlMs(w, at)),
      `${w.duration}:${w.start}`,
      String(w.end),
      w.overflow === undefined ? '0' : OVERFLOW_CODES[w.overflow],
      isUnlimited(overageLimit) ? '-1' : String(overageLimit),
    )
  }
  return command
}
