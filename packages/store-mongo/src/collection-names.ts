/** The name of every collection the store uses, each `collectionPrefix` + a fixed suffix. */
export interface CollectionNames {
  /** One document per client: its current and previous window of every duration. */
  readonly counters: string
  /** Windows older than a client's previous one. */
  readonly windows: string
  /** Credits per client and 15-minute bucket. */
  readonly ledger: string
  readonly idempotencyKeys: string
  readonly refundKeys: string
  /** Client locks (FerretDB v1 only). */
  readonly locks: string
  /** One document recording the layout version of the others. */
  readonly meta: string
}

/** The collection names under `prefix`. */
export function collectionNames(prefix: string): CollectionNames {
  return {
    counters: `${prefix}counters`,
    windows: `${prefix}windows`,
    ledger: `${prefix}ledger`,
    idempotencyKeys: `${prefix}idempotency_keys`,
    refundKeys: `${prefix}refund_keys`,
    locks: `${prefix}locks`,
    meta: `${prefix}meta`,
  }
}
