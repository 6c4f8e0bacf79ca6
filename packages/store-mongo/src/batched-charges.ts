import { type ChargeRequest, type ChargeResult, ledgerBucketStart } from '@x/api-billing-core'
import type { CounterCharge } from './counter-batches.js'
import type { IdempotencyClaims } from './idempotency-claims.js'
import type { UsageLedger } from './usage-ledger.js'
import type { WindowCounters } from './window-counters.js'

/** A request of the batch that charges (no replay), with its idempotency claim's owner token if keyed. */
interface Charging {
  readonly index: number
  readonly request: ChargeRequest
  readonly token?: string
}

/**
 * Charges a batch of one client's requests (see `ClientBatcher`): claims their idempotency keys in
 * arrival order (the batcher never puts one key twice in a batch), charges the counters of the rest
 * together (`WindowCounters.chargeMany`), adds the granted credits to the ledger once per bucket, then
 * completes the keys of granted requests and releases those of refused ones. Each request gets the
 * answer it would have had alone. On a failure every request of the batch fails; a key it claimed stays
 * pending until its lease runs out, as after a failed single charge (the charge may have been applied).
 */
export class BatchedCharges {
  constructor(
    private readonly counters: WindowCounters,
    private readonly ledger: UsageLedger,
    private readonly claims: IdempotencyClaims,
  ) {}

  /** One answer per request, in order. `ownerGone`: see `IdempotencyClaims.claim`. */
  async charge(
    clientId: string,
    requests: readonly ChargeRequest[],
    ownerGone: boolean,
  ): Promise<ChargeResult[]> {
    const results: ChargeResult[] = []
    const charging: Charging[] = []
    for (const [index, request] of requests.entries()) {
      if (request.idempotency === undefined) {
        charging.push({ index, request })
        continue
      }
      const claimed = await this.claims.claim(clientId, request.idempotency, request.at, ownerGone)
      if (claimed.replay !== undefined) results[index] = claimed.replay
      else charging.push({ index, request, token: claimed.token })
    }
    const charged = await this.counters.chargeMany(
      clientId,
      charging.map((c) => c.request),
    )
    await this.record(clientId, charging, charged)
    for (const [k, c] of charging.entries())
      results[c.index] = { ...(charged[k] as CounterCharge), replayed: false }
    return results
  }

  /** Adds the granted credits to the ledger (one `$inc` per bucket), then settles every claimed key. */
  private async record(
    clientId: string,
    charging: readonly Charging[],
    charged: readonly CounterCharge[],
  ): Promise<void> {
    const byBucket = new Map<number, number>()
    for (const [k, { request }] of charging.entries()) {
      if (!(charged[k] as CounterCharge).allowed) continue
      const bucket = ledgerBucketStart(request.at)
      byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + request.cost)
    }
    for (const [bucket, credits] of byBucket) await this.ledger.add(clientId, bucket, credits)
    for (const [k, { request, token }] of charging.entries()) {
      if (token === undefined || request.idempotency === undefined) continue
      const { key } = request.idempotency
      const { allowed, used } = charged[k] as CounterCharge
      if (allowed) await this.claims.complete(clientId, key, token, used)
      else await this.claims.release(clientId, key, token)
    }
  }
}
