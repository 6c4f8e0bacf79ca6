import { type ChargeRequest, isUnlimited } from '@x/api-billing-core'
import type { ClientKeys } from './client-keys.js'
import type { RedisScript } from './redis-script.js'
import { chargeCommandHead, chargeFixedKeys, counterTtlMs } from './store-requests.js'

const OVERFLOW_CODES = { balance: '1', bill: '2' } as const

/**
 * The whole credit charge command for `request` (a charge with an overflow window): `EVALSHA` of the
 * credit charge script with its keys and arguments, in the order the script reads them — the charge
 * script's, the live grants' key after its fixed keys, and two more arguments per window.
 */
export function creditChargeCommand(script: RedisScript, keys: ClientKeys, request: ChargeRequest): string[] {
  const command = chargeCommandHead(script, keys, [...chargeFixedKeys(keys), keys.liveGrants], request)
  const { at } = request
  for (const w of request.windows) {
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
