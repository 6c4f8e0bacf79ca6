import type { ChargeResult, CreditOutcome, GrantSpend } from '@x/api-billing-core'
import { grantIdOfKey } from './grant-ids.js'

/** The `used` values of an encoded answer (`'u1,u2'`, empty for no window). */
function usedOf(csv: string): number[] {
  return csv === '' ? [] : csv.split(',').map(Number)
}

function spentOf(encoded: string): GrantSpend[] {
  if (encoded === '') return []
  return encoded.split(',').map((part) => {
    const [keyId, credits] = part.split('=') as [string, string]
    return { grantId: grantIdOfKey(keyId), credits: Number(credits) }
  })
}

/**
 * A charge answer as the scripts encode it (and idempotency records keep it): `'u1,u2'` for a charge
 * without overflow windows, or `'u1,u2|fromBalance|overage|balance|spent|rejectedBy'` for one with them
 * (`balance` and `rejectedBy` empty for `undefined`, `spent` as `grantKeyId=credits,...`).
 */
export function decodeChargeAnswer(encoded: string, allowed: boolean, replayed: boolean): ChargeResult {
  const parts = encoded.split('|')
  const used = usedOf(parts[0] as string)
  if (parts.length === 1) return { allowed, used, replayed }
  const [, fromBalance, overage, balance, spent, rejectedBy] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  const credit: CreditOutcome = {
    fromBalance: Number(fromBalance),
    overage: Number(overage),
    balance: balance === '' ? undefined : Number(balance),
    spent: spentOf(spent),
    rejectedBy: rejectedBy === 'quota' || rejectedBy === 'balance' ? rejectedBy : undefined,
  }
  return { allowed, used, replayed, credit }
}
