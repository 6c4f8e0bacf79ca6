import { StoreUnavailableError } from '@x/api-billing-core'
import { type Collection, type Db, type Document, Double, MongoServerError } from 'mongodb'
import type { CollectionNames } from './collection-names.js'
import {
  LEGACY_ARCHIVED_WINDOWS,
  LEGACY_COUNTERS,
  LEGACY_IDEMPOTENCY_KEYS,
  LEGACY_LEDGER,
  LEGACY_LOCKS,
  LEGACY_REFUND_KEYS,
  type LegacyConversion,
} from './legacy-layout.js'
import type { LayoutDocument } from './store-documents.js'

/** The layout this version of the store reads and writes. */
export const LAYOUT_VERSION = 3
/** Passes over one collection before giving up on documents that keep changing under the migration. */
const MAX_PASSES = 5
/** Server codes for "no such collection" and "no such index": nothing to drop. */
const NOTHING_TO_DROP = new Set([26, 27])

/**
 * Brings the collections to {@link LAYOUT_VERSION}, step by step. Layout 1 (store version 0.1.0, fields
 * named by letters) to 2: every document rewritten in place, each by a conditional replace that only
 * matches the document as read, and the old indexes dropped. Layout 2 to 3 (credits): every ledger
 * bucket gets `fromBalance: 0` and `overage: 0`; grants need nothing (a counter document without
 * `grants` has none) nor do idempotency keys (one without `credit` replays without it). A new or current
 * database is only checked. The layout is recorded in the meta collection, so later starts skip this.
 */
export async function migrateLayout(db: Db, names: CollectionNames): Promise<void> {
  const meta = db.collection<LayoutDocument>(names.meta)
  const layout = await meta.findOne({ _id: 'layout' })
  const version = layout?.version ?? 1
  if (version >= LAYOUT_VERSION) return
  if (version < 2) await convertLegacyLayout(db, names)
  const ledger = db.collection(names.ledger)
  for (const field of ['fromBalance', 'overage']) {
    await ledger.updateMany({ [field]: { $exists: false } }, { $set: { [field]: new Double(0) } })
  }
}

/** Layout 1 to 2: converts every collection's documents and drops the old indexes. */
async function convertLegacyLayout(db: Db, names: CollectionNames): Promise<void> {
  await convertCollection(db.collection(names.counters), LEGACY_COUNTERS)
  await convertCollection(db.collection(names.windows), LEGACY_ARCHIVED_WINDOWS)
  await convertCollection(db.collection(names.ledger), LEGACY_LEDGER)
  await convertCollection(db.collection(names.idempotencyKeys), LEGACY_IDEMPOTENCY_KEYS)
  await convertCollection(db.collection(names.refundKeys), LEGACY_REFUND_KEYS)
  await convertCollection(db.collection(names.locks), LEGACY_LOCKS)
}

/** Records that the collections are in {@link LAYOUT_VERSION} (after their indexes exist). */
export async function recordLayout(db: Db, names: CollectionNames): Promise<void> {
  await db
    .collection<LayoutDocument>(names.meta)
    .updateOne({ _id: 'layout' }, { $set: { version: LAYOUT_VERSION } }, { upsert: true })
}

async function convertCollection<Old extends Document, New extends Document>(
  collection: Collection<Document>,
  conversion: LegacyConversion<Old, New>,
): Promise<void> {
  for (let pass = 0; ; pass++) {
    // The documents the legacy filter matched are in the old layout `Old` describes.
    const legacy = (await collection.find(conversion.isLegacy).toArray()) as unknown as Old[]
    if (legacy.length === 0) break
    if (pass === MAX_PASSES) {
      throw new StoreUnavailableError(
        `MongoUsageStore.init: ${legacy.length} document(s) in ${collection.collectionName} kept changing ` +
          'while being converted to the new layout; is a process of store version 0.1 still writing?',
      )
    }
    for (const old of legacy) await collection.replaceOne(conversion.unchanged(old), conversion.convert(old))
  }
  for (const name of conversion.legacyIndexes) {
    try {
      await collection.dropIndex(name)
    } catch (error) {
      if (!(error instanceof MongoServerError && NOTHING_TO_DROP.has(Number(error.code)))) throw error
    }
  }
}
