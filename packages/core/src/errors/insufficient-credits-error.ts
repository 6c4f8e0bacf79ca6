import type { Decision } from '../decision.js'
import { excessOver } from '../plan-credit-charge.js'
import { QuotaExceededError } from './quota-exceeded-error.js'

/**
 * Thrown by `ApiBilling.trackClientUsage` when only the prepaid balance stopped a request: every window
 * had room, but the part past an overflow window's limit was more than the client's grants hold. Nothing
 * was charged. A `QuotaExceededError`, so code that catches those still does; HTTP 402.
 */
export class InsufficientCreditsError extends QuotaExceededError {
  override readonly code: string = 'INSUFFICIENT_CREDITS'
  override readonly status: number = 402
  /** Credits the request needed from the balance. */
  readonly needed: number
  /** Credits the balance held. */
  readonly available: number

  constructor(decision: Decision) {
    super(decision)
    this.available = decision.balance ?? 0
    this.needed = creditsNeeded(decision)
    this.message =
      `Insufficient credits for client "${decision.clientId}": ${this.needed} credit(s) needed from the ` +
      `balance, ${this.available} available`
  }
}

/** The part of a refused charge's cost that its windows would have overflowed into the balance. */
export function creditsNeeded(decision: Decision): number {
  let needed = 0
  for (const w of decision.windows) {
    if (w.overflow !== 'balance') continue
    needed = Math.max(needed, excessOver(w.used, decision.cost, w.limit))
  }
  // Decisions speak credits, which under a creditScale are decimals: drop the float noise of the
  // subtraction (0.30000000000000004 → 0.3); no credit amount has 15 significant digits.
  return Number(needed.toPrecision(15))
}
