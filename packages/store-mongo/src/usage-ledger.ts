import {
  type LedgerBucket,
  ledgerBucketStart,
  type ScannedBucket,
  type UsageRange,
  type UsageScan,
} from '@x/api-billing-core'
import type { Collection, Filter } from 'mongodb'
import { double } from './counter-documents.js'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { LOST_RACE, retryLostRaces } from './retry-lost-races.js'
import { compoundId, type LedgerDocument } from './store-documents.js'

/** The parts of a bucket's credits: paid from grants, billed as overage (each default 0). */
export interface LedgerSplit {
  readonly fromBalance: number
  readonly overage: number
}

/** What a refund takes from a bucket: credits, and of them the parts from grants and overage. */
export interface LedgerRefund extends LedgerSplit {
  readonly credits: number
}

/** The fields of a bucket a refund reduces, each never below zero. */
const REFUNDED_FIELDS = ['credits', 'fromBalance', 'overage'] as const

/** A stored bucket as the store contract hands it out (fields absent in older documents read as 0). */
function toBucket(d: LedgerDocument): LedgerBucket {
  return {
    start: d.bucketStart,
    credits: d.credits,
    fromBalance: d.fromBalance ?? 0,
    overage: d.overage ?? 0,
  }
}

/** The ledger collection: credits of one client in one 15-minute bucket, one document each. */
export class UsageLedger {
  constructor(private readonly ledger: Collection<LedgerDocument>) {}

  /**
   * Creates the indexes reads, scans and purges use, one per call (see `MongoUsageStore.init`):
   * `(clientId, bucketStart)` also serves `scanUsage`'s order without a sort.
   */
  async createIndexes(): Promise<void> {
    await this.ledger.createIndex({ clientId: 1, bucketStart: 1 })
    await this.ledger.createIndex({ bucketStart: 1 })
  }

  /**
   * Adds `credits` (of which `split` from grants and overage; default none) to the bucket of `at`,
   * creating it with both parts at 0. A duplicate key on the upsert (two first writes) is retried
   * (`retryLostRaces`), never dropped.
   */
  async add(clientId: string, at: number, credits: number, split?: LedgerSplit): Promise<void> {
    if (credits === 0) return
    const bucketStart = ledgerBucketStart(at)
    const inc: Record<string, number> = { credits: double(credits) }
    const onInsert: Record<string, unknown> = { clientId, bucketStart }
    for (const field of ['fromBalance', 'overage'] as const) {
      if (split !== undefined && split[field] !== 0) inc[field] = double(split[field])
      else onInsert[field] = double(0)
    }
    await retryLostRaces(`ledger add for client "${clientId}"`, async () => {
      try {
        await this.ledger.updateOne(
          { _id: compoundId(clientId, bucketStart) },
          { $inc: inc, $setOnInsert: onInsert },
          { upsert: true },
        )
        return undefined
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
        return LOST_RACE
      }
    })
  }

  /**
   * Takes `refund`'s credits, fromBalance and overage from the bucket of `at`, each never below zero; a
   * field that changed between the two conditional updates is retried (`retryLostRaces`).
   */
  async subtract(clientId: string, at: number, refund: LedgerRefund): Promise<void> {
    const _id = compoundId(clientId, ledgerBucketStart(at))
    for (const field of REFUNDED_FIELDS) {
      const amount = refund[field]
      if (amount <= 0) continue
      await retryLostRaces(`ledger refund for client "${clientId}"`, async () => {
        const down = await this.ledger.updateOne(
          { _id, [field]: { $gte: amount } } as Filter<LedgerDocument>,
          { $inc: { [field]: double(-amount) } },
        )
        if (down.matchedCount === 1) return undefined
        // Below `amount`, or absent (a bucket written before layout 3): empty it.
        const zero = await this.ledger.updateOne(
          {
            _id,
            $or: [{ [field]: { $lt: amount } }, { [field]: { $exists: false } }],
          } as Filter<LedgerDocument>,
          { $set: { [field]: double(0) } },
        )
        const done = zero.matchedCount === 1 || (await this.ledger.findOne({ _id })) === null
        return done ? undefined : LOST_RACE
      })
    }
  }

  /** The non-empty buckets of a client starting in `[from, to)`, oldest first. */
  async read(range: UsageRange): Promise<LedgerBucket[]> {
    const docs = await this.ledger
      .find({
        clientId: range.clientId,
        bucketStart: { $gte: range.from, $lt: range.to },
        credits: { $gt: 0 },
      })
      .sort({ bucketStart: 1 })
      .toArray()
    return docs.map(toBucket)
  }

  /**
   * One page of every client's non-empty buckets starting in `[from, to)`, ordered by client id (byte-wise:
   * the server's default binary string order) then start, strictly after `scan.after`. Walks the
   * `(clientId, bucketStart)` index in its order from `after.clientId` on and stops after `limit` rows;
   * the rows of `after.clientId` up to `after.start` are skipped by a filter, not sorted away.
   */
  async scan(scan: UsageScan): Promise<ScannedBucket[]> {
    const filter: Filter<LedgerDocument> = {
      bucketStart: { $gte: scan.from, $lt: scan.to },
      credits: { $gt: 0 },
    }
    const { after } = scan
    if (after !== undefined) {
      filter.clientId = { $gte: after.clientId }
      filter.$nor = [{ clientId: after.clientId, bucketStart: { $lte: after.start } }]
    }
    const docs = await this.ledger
      .find(filter)
      .sort({ clientId: 1, bucketStart: 1 })
      .hint({ clientId: 1, bucketStart: 1 })
      .limit(scan.limit)
      .toArray()
    return docs.map((d) => ({ clientId: d.clientId, ...toBucket(d) }))
  }

  /** Removes every bucket of a client, or those starting in `[from, to)`. */
  async delete(clientId: string, range?: { readonly from: number; readonly to: number }): Promise<void> {
    await this.ledger.deleteMany(
      range ? { clientId, bucketStart: { $gte: range.from, $lt: range.to } } : { clientId },
    )
  }

  /** Removes every bucket that starts before `before`. */
  async purge(before: number): Promise<void> {
    await this.ledger.deleteMany({ bucketStart: { $lt: before } })
  }
}
