import { Batcher, type BatcherSettings } from './batcher.js'

/** How an engine runs one operation on its own, and a whole batch of them in one call. */
export interface BatchedCallsOptions<I, O> {
  /** One item, one call (e.g. the single-charge function or procedure). */
  readonly one: (item: I) => Promise<O>
  /** Two or more items, one call (and, for writes, one transaction); one answer per item, in order. */
  readonly many: (items: readonly I[]) => Promise<readonly O[]>
  /** Whether an item may join a batch at all. Default: every item. */
  readonly batchable?: (item: I) => boolean
}

/**
 * An engine operation (a charge, a status read): with `batching`, items go through a {@link Batcher}
 * to `many` — a batch of one to `one`, which does less work for a single item; without it
 * (`undefined`), each to `one`.
 */
export function batchedCalls<I, O>(
  batching: BatcherSettings | undefined,
  calls: BatchedCallsOptions<I, O>,
): (item: I) => Promise<O> {
  const { one, many, batchable = () => true } = calls
  if (batching === undefined) return one
  const batcher = new Batcher<I, O>(
    async (items) => (items.length === 1 ? [await one(items[0] as I)] : many(items)),
    batching,
  )
  return (item) => (batchable(item) ? batcher.submit(item) : one(item))
}
