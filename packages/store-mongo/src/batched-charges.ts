import {
  type ChargeRequest,
  type ChargeResult,
  type CreditOutcome,
  ledgerBucketStart,
} from '@x/api-billing-core'
import type { IdempotencyClaims } from './idempotency-claims.js'
import type { UsageLedger } from './usage-ledger.js'

/** A request's counter answer, with its credit outcome when its windows overflow. */
export interface BatchAnswer {
  readonly allowed: boolean
  readonly used: number[]
  readonly credit?: CreditOutcome
}

/**
 * What charges the counters of a batch, one answer per request in order: `WindowCounters` for plain
 * charges, `CreditCounters` for charges with overflow windows (windows and grants together).
 */
export interface BatchCounters {
  chargeMany(clientId: string, requests: readonly ChargeRequest[]): Promise<readonly BatchAnswer[]>
}

/** A request of the batch that charges (no replay), with its idempotency claim's owner token if keyed. */
interface Charging {
  readonly index: number
  readonly request: ChargeRequest
  readonly token?: string
}

/** Credits, and of them those from grants and those billed, of one ledger bucket. */
interface BucketSums {
  credits: number
  fromBalance: number
  overage: number
}

/**
 * Charges a batch of one client's requests (see `ClientBatcher`): claims their idempotency keys in
 * arrival order (the batcher never puts one key twice in a batch), charges the counters of the rest
 * together (`BatchCounters.chargeMany`), adds the granted credits (with their `fromBalance` and `overage`)
 * to the ledger once per bucket, then completes the keys of granted requests with their answer and
 * credit outcome and releases those of refused ones. Each request gets the answer it would have had alone.
 * On a failure every request of the batch fails; a key it claimed stays pending until its lease runs out,
 * as after a failed single charge (the charge may have been applied).
 */
export class BatchedCharges {
  constructor(
    private readonly counters: BatchCounters,
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
    const answers = await this.counters.chargeMany(
      clientId,
      charging.map((c) => c.request),
    )
    await this.record(clientId, charging, answers)
    for (const [k, c] of charging.entries()) {
      const { allowed, used, credit } = answers[k] as BatchAnswer
      results[c.index] =
        credit === undefined ? { allowed, used, replayed: false } : { allowed, used, replayed: false, credit }
    }
    return results
  }

  /** Adds the granted credits to the ledger (one `$inc` per bucket), then settles every claimed key. */
  private async record(
    clientId: string,
    charging: readonly Charging[],
    answers: readonly BatchAnswer[],
  ): Promise<void> {
    const byBucket = new Map<number, BucketSums>()
    for (const [k, { request }] of charging.entries()) {
      const { allowed, credit } = answers[k] as BatchAnswer
      if (!allowed) continue
      const bucket = ledgerBucketStart(request.at)
      const sums = byBucket.get(bucket) ?? { credits: 0, fromBalance: 0, overage: 0 }
      sums.credits += request.cost
      sums.fromBalance += credit?.fromBalance ?? 0
      sums.overage += credit?.overage ?? 0
      byBucket.set(bucket, sums)
    }
    for (const [bucket, sums] of byBucket) await this.ledger.add(clientId, bucket, sums.credits, sums)
    for (const [k, { request, token }] of charging.entries()) {
      if (token === undefined || request.idempotency === undefined) continue
      const { key } = request.idempotency
      const { allowed, used, credit } = answers[k] as BatchAnswer
      if (allowed) await this.claims.complete(clientId, key, token, used, credit)
      else await this.claims.release(clientId, key, token)
    }
  }
}
