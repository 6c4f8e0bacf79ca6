import { type ChargeRequest, ledgerBucketStart } from '@x/api-billing-core'

/** The window counters a batch charges, each once: the row keys of `<prefix>counters`. */
export interface BatchCounters {
  readonly clients: string[]
  readonly durations: string[]
  readonly starts: number[]
  readonly ends: number[]
}

/**
 * Charges laid out for one call of a batch function or procedure: one entry per item (in arrival
 * order), one per window (every item's windows one after the other) and one per distinct counter.
 * Indexes into the batch are 1-based, as SQL arrays and JSON ordinalities count.
 */
export interface ChargeBatch {
  readonly clients: string[]
  readonly costs: number[]
  readonly buckets: number[]
  /** Per item: its idempotency key, or `null`. */
  readonly keys: (string | null)[]
  /** Per item: when its key expires, or `null` without a key. */
  readonly keyExpires: (number | null)[]
  readonly ats: number[]
  /** Per item: the index of the previous item with the same client and key, or `null`. */
  readonly keyPrevious: (number | null)[]
  readonly windowCounts: number[]
  /** Per window: the index of its counter in {@link counters}. */
  readonly windowCounters: number[]
  /** Per window: its limit as the database compares it (`null` = unlimited). */
  readonly windowLimits: (number | null)[]
  /** Per window: `true` when an earlier window of the same item has the same counter (charged once). */
  readonly windowRepeats: boolean[]
  readonly counters: BatchCounters
}

/**
 * Lays `requests` out as a {@link ChargeBatch}. `limit` turns a window's limit into what the database
 * compares (`null` for unlimited). Pure: the same requests always give the same layout.
 */
export function chargeBatch(
  requests: readonly ChargeRequest[],
  limit: (limit: number) => number | null,
): ChargeBatch {
  const batch: ChargeBatch = {
    clients: [],
    costs: [],
    buckets: [],
    keys: [],
    keyExpires: [],
    ats: [],
    keyPrevious: [],
    windowCounts: [],
    windowCounters: [],
    windowLimits: [],
    windowRepeats: [],
    counters: { clients: [], durations: [], starts: [], ends: [] },
  }
  const counterIndex = new Map<string, number>()
  const lastItemOfKey = new Map<string, number>()
  requests.forEach((request, i) => {
    const { clientId, idempotency } = request
    batch.clients.push(clientId)
    batch.costs.push(request.cost)
    batch.buckets.push(ledgerBucketStart(request.at))
    batch.ats.push(request.at)
    batch.keys.push(idempotency?.key ?? null)
    batch.keyExpires.push(idempotency?.expiresAt ?? null)
    const keyId = idempotency === undefined ? undefined : `${clientId}\u0000${idempotency.key}`
    batch.keyPrevious.push(keyId === undefined ? null : (lastItemOfKey.get(keyId) ?? null))
    if (keyId !== undefined) lastItemOfKey.set(keyId, i + 1)
    batch.windowCounts.push(request.windows.length)
    const seen = new Set<number>()
    for (const w of request.windows) {
      const id = `${clientId}\u0000${w.duration}\u0000${w.start}`
      let counter = counterIndex.get(id)
      if (counter === undefined) {
        counter = counterIndex.size + 1
        counterIndex.set(id, counter)
        batch.counters.clients.push(clientId)
        batch.counters.durations.push(w.duration)
        batch.counters.starts.push(w.start)
        batch.counters.ends.push(w.end)
      }
      batch.windowCounters.push(counter)
      batch.windowLimits.push(limit(w.limit))
      batch.windowRepeats.push(seen.has(counter))
      seen.add(counter)
    }
  })
  return batch
}
