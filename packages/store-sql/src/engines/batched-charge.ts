import type { ChargeRequest, ChargeResult } from '@x/api-billing-core'
import { Batcher, type BatcherSettings } from './batcher.js'

/** How an engine charges one request, and a whole batch in one call. */
export interface ChargeCalls {
  /** One charge, one call (the single-charge function or procedure). */
  readonly one: (request: ChargeRequest) => Promise<ChargeResult>
  /** Two or more charges, one call and one transaction; one answer per request, in order. */
  readonly many: (requests: readonly ChargeRequest[]) => Promise<readonly ChargeResult[]>
  /** Whether a request may join a batch at all. Default: every request. */
  readonly batchable?: (request: ChargeRequest) => boolean
}

/**
 * An engine's `charge`: with `batching`, requests go through a {@link Batcher} to `many` — a batch of
 * one to `one`, which does less work for a single item; without it (`undefined`), each to `one`.
 */
export function batchedCharge(
  batching: BatcherSettings | undefined,
  calls: ChargeCalls,
): (request: ChargeRequest) => Promise<ChargeResult> {
  const { one, many, batchable = () => true } = calls
  if (batching === undefined) return one
  const batcher = new Batcher<ChargeRequest, ChargeResult>(
    async (requests) => (requests.length === 1 ? [await one(requests[0] as ChargeRequest)] : many(requests)),
    batching,
  )
  return (request) => (batchable(request) ? batcher.submit(request) : one(request))
}
