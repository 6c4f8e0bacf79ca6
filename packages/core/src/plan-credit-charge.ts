import type { GrantSpend, StoredGrant } from './credit-grant.js'
import { hasRoom } from './has-room.js'
import type { CreditOutcome, StoreWindow } from './usage-store.js'

/**
 * The part of `cost` that does not fit in a window with `used` of `limit`: 0 when it all fits, all of it
 * when the window is already full, the part past the limit in between. Exact for safe integers.
 */
export function excessOver(used: number, cost: number, limit: number): number {
  const room = limit - used
  if (room >= cost) return 0
  return room <= 0 ? cost : cost - room
}

/**
 * Whether any of `windows` overflows (`'balance'` or `'bill'`): such a charge is decided by
 * {@link planCreditCharge} and answers with a credit outcome; every store routes on it.
 */
export function hasOverflowWindow(windows: readonly StoreWindow[]): boolean {
  for (const w of windows) if (w.overflow !== undefined) return true
  return false
}

/** The credit outcome of a rejected charge. */
function rejected(rejectedBy: 'quota' | 'balance', balance: number | undefined): CreditOutcome {
  return { fromBalance: 0, overage: 0, balance, spent: [], rejectedBy }
}

/**
 * Decides a charge of `cost` on windows with overflow, the rule every store applies (one that runs it in
 * its database mirrors it):
 *
 * 1. every window without `overflow` needs room for `cost` (`hasRoom`), and every `'bill'` window room
 *    within `limit + overageLimit`; otherwise it is rejected by `'quota'`;
 * 2. the excess is the largest, over the overflow windows, of the part of `cost` past that window's limit
 *    ({@link excessOver});
 * 3. `'bill'`: the excess is the charge's overage. `'balance'`: `grants` (the client's spendable grants at
 *    the charge's instant, in spending order) must hold the excess, else it is rejected by `'balance'`;
 *    they are spent in that order.
 *
 * Every window then counts the full `cost`. `used` holds each window's `used` before the charge; `balance`
 * in the answer is what the grants hold after it (before, when rejected), `undefined` without a
 * `'balance'` window.
 */
export function planCreditCharge(
  windows: readonly StoreWindow[],
  used: readonly number[],
  cost: number,
  grants: readonly StoredGrant[],
): CreditOutcome {
  let excess = 0
  let mode: 'balance' | 'bill' | undefined
  let quotaFull = false
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i] as StoreWindow
    const u = used[i] ?? 0
    if (w.overflow === undefined) {
      if (!hasRoom(u, cost, w.limit)) quotaFull = true
      continue
    }
    mode = w.overflow
    if (w.overflow === 'bill' && !hasRoom(u, cost, w.limit + (w.overageLimit ?? Number.POSITIVE_INFINITY))) {
      quotaFull = true
    }
    excess = Math.max(excess, excessOver(u, cost, w.limit))
  }
  let available = 0
  if (mode === 'balance') for (const grant of grants) available += grant.remaining
  const balance = mode === 'balance' ? available : undefined
  if (quotaFull) return rejected('quota', balance)
  if (mode !== 'balance')
    return { fromBalance: 0, overage: excess, balance, spent: [], rejectedBy: undefined }
  if (excess > available) return rejected('balance', balance)
  return {
    fromBalance: excess,
    overage: 0,
    balance: available - excess,
    spent: spendGrants(grants, excess),
    rejectedBy: undefined,
  }
}

/** Takes `amount` from `grants` in their order: what each one gives. `amount` must not exceed their sum. */
export function spendGrants(grants: readonly StoredGrant[], amount: number): GrantSpend[] {
  const spent: GrantSpend[] = []
  let left = amount
  for (const grant of grants) {
    if (left === 0) break
    const credits = Math.min(left, grant.remaining)
    if (credits > 0) spent.push({ grantId: grant.id, credits })
    left -= credits
  }
  return spent
}
