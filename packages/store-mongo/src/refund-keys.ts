import type { Collection } from 'mongodb'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { compoundId, type RefundKeyDocument } from './store-documents.js'

/** The refund-keys collection: each key a refund was applied under, so that it is applied once. */
export class RefundKeys {
  constructor(private readonly refunds: Collection<RefundKeyDocument>) {}

  /** Creates the indexes deletes and purges use, one per call (see `MongoUsageStore.init`). */
  async createIndexes(): Promise<void> {
    await this.refunds.createIndex({ clientId: 1 })
    await this.refunds.createIndex({ expiresAt: 1 })
  }

  /** Records `refundKey` (a unique insert); `false` when it was recorded before. */
  async claim(clientId: string, refundKey: string, expiresAt: number): Promise<boolean> {
    try {
      await this.refunds.insertOne({ _id: compoundId(clientId, refundKey), clientId, expiresAt })
      return true
    } catch (error) {
      if (isDuplicateKeyError(error)) return false
      throw error
    }
  }

  /** Removes every refund key of a client. */
  async delete(clientId: string): Promise<void> {
    await this.refunds.deleteMany({ clientId })
  }

  /** Removes every refund key that expired at or before `now`. */
  async purge(now: number): Promise<void> {
    await this.refunds.deleteMany({ expiresAt: { $lte: now } })
  }
}
