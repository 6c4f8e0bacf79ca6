import type { DeleteAllUsageRequest, DeleteUsageRequest } from './usage-store.js'

/**
 * Tells the two forms of a {@link DeleteUsageRequest} apart: `true` for "everything of the client" (no
 * range), `false` for a complete range `[from, to)`.
 */
export function isWholeClientDelete(request: DeleteUsageRequest): request is DeleteAllUsageRequest {
  return request.from === undefined
}
