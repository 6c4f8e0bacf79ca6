import type { GrantSpend } from './credit-grant.js'
import type { CreditScale } from './credit-scale.js'
import type { Decision } from './decision.js'

/**
 * The credit part of refunding `credits` of `decision`, in stored units: the credits past the allowance
 * were charged last, so they are given back first — to the balance (the grants spent last first) or off
 * the billed overage. Empty for a decision that spent no grant and billed no overage.
 */
export function refundOfCredits(
  decision: Decision,
  credits: number,
  scale: CreditScale,
): { restore?: readonly GrantSpend[]; overage?: number } {
  const units = (value: number) => Math.round(value * scale.factor)
  const overage = Math.min(units(decision.overage ?? 0), units(credits))
  const spent = decision.spentGrants ?? []
  if (spent.length === 0) return overage > 0 ? { overage } : {}
  let left = Math.min(units(decision.fromBalance), units(credits))
  const restore: GrantSpend[] = []
  for (let i = spent.length - 1; i >= 0 && left > 0; i--) {
    const s = spent[i] as GrantSpend
    const back = Math.min(left, units(s.credits))
    restore.push({ grantId: s.grantId, credits: back })
    left -= back
  }
  return overage > 0 ? { restore, overage } : { restore }
}
