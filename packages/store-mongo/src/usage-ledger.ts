import { type LedgerBucket, ledgerBucketStart, type UsageRange } from '@x/api-billing-core'
import type { Collection } from 'mongodb'
import { double } from './counter-documents.js'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { compoundId, type LedgerDocument } from './store-documents.js'

const MAX_ATTEMPTS = 200

/** The ledger collection: credits of one client in one 15-minute bucket, one document each. */
export class UsageLedger {
  constructor(private readonly ledger: Collection<LedgerDocument>) {}

  /** Creates the indexes reads and purges use, one per call (see `MongoUsageStore.init`). */
  async createIndexes(): Promise<void> {
    await this.ledger.createIndex({ clientId: 1, bucketStart: 1 })
    await this.ledger.createIndex({ bucketStart: 1 })
  }

  /** Adds `credits` (or, negative, removes them, never below zero) in the bucket of `at`. */
  async add(clientId: string, at: number, credits: number): Promise<void> {
    if (credits === 0) return
    const bucketStart = ledgerBucketStart(at)
    const _id = compoundId(clientId, bucketStart)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        if (credits > 0) {
          await this.ledger.updateOne(
            { _id },
            { $inc: { credits: double(credits) }, $setOnInsert: { clientId, bucketStart } },
            { upsert: true },
          )
          return
        }
        const down = await this.ledger.updateOne(
          { _id, credits: { $gte: -credits } },
          { $inc: { credits: double(credits) } },
        )
        if (down.matchedCount === 1) return
        const zero = await this.ledger.updateOne(
          { _id, credits: { $lt: -credits } },
          { $set: { credits: double(0) } },
        )
        if (zero.matchedCount === 1 || (await this.ledger.findOne({ _id })) === null) return
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
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
    return docs.map((d) => ({ start: d.bucketStart, credits: d.credits }))
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
