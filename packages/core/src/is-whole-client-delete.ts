import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import type { DeleteAllUsageRequest, DeleteUsageRequest } from './usage-store.js'

/**
 * Tells the two forms of a {@link DeleteUsageRequest} apart: `true` for "everything of the client" (no
 * range), `false` for a complete range `[from, to)`. Half a range (one bound missing, or not a number)
 * breaks the contract and throws `InvalidArgumentError`, so that no store reads it as "everything".
 */
export function isWholeClientDelete(request: DeleteUsageRequest): request is DeleteAllUsageRequest {
  const { from, to } = request as { from?: unknown; to?: unknown }
  if (from === undefined && to === undefined) return true
  if (typeof from !== 'number' || typeof to !== 'number') {
    throw new InvalidArgumentError('request', 'a usage range needs both from and to (epoch ms)')
  }
  return false
}
