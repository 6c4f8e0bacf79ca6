import type { MongoClient, MongoClientOptions } from 'mongodb'

/**
 * When {@link MongoUsageStore} serialises a client's writes with a lock document.
 * - `'auto'` (default): only when the server is FerretDB v1, whose updates are read-then-write and
 *   lose concurrent `$inc`s; MongoDB's single-document updates are atomic and need no lock.
 * - `'always'`: always lock (any server whose single-document updates are not atomic).
 * - `'never'`: never lock (MongoDB 5+, Atlas, FerretDB v2).
 */
export type ClientLockMode = 'auto' | 'always' | 'never'

/** Options shared by the constructor and {@link MongoUsageStore.fromUrl}. */
export interface MongoUsageStoreCommonOptions {
  /** Database name. Default: the database of the connection string (the driver's `test` when none). */
  readonly dbName?: string
  /** Prefix of every collection name. Default `'api_billing_'`. */
  readonly collectionPrefix?: string
  /** When to serialise a client's writes with a lock document. Default `'auto'`. */
  readonly clientLocks?: ClientLockMode
  /**
   * How long a lock (and a pending idempotency key) may be held before another request may take it
   * over, in ms: it bounds the wait after a process died mid-charge. Default 5 000.
   */
  readonly leaseMs?: number
}

/** Options of `new MongoUsageStore(...)`. */
export interface MongoUsageStoreOptions extends MongoUsageStoreCommonOptions {
  /** A client the application owns: `close()` leaves it open. */
  readonly client: MongoClient
}

/** Options of {@link MongoUsageStore.fromUrl}. */
export interface MongoUsageStoreUrlOptions extends MongoUsageStoreCommonOptions {
  /**
   * Driver options, merged over the store's fail-fast defaults: `serverSelectionTimeoutMS: 2000`,
   * `connectTimeoutMS: 2000`, `socketTimeoutMS: 10000`.
   */
  readonly clientOptions?: MongoClientOptions
}
