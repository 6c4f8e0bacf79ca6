import type { WindowUsage } from './decision.js'
import { hasRoom } from './has-room.js'

/**
 * Whether window `w` of a decision could not take `cost`: past its limit for a `'reject'` window, past
 * limit plus `overageLimit` for a `'bill'` window; never for a `'balance'` window (only the balance can
 * fall short). What `QuotaExceededError` lists as violated and `Retry-After` waits for.
 */
export function isWindowViolated(w: WindowUsage, cost: number): boolean {
  return w.overflow !== 'balance' && !hasRoom(w.used, cost, w.limit + (w.overageLimit ?? 0))
}
