import { InvalidArgumentError } from '@x/api-billing-core'
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
  /**
   * Whether charges of one client that arrive together (in the same event-loop turn, or while that
   * client's previous charge is at the server) go to the server as one batch: one conditional update of
   * the client's counter document for all of them, one ledger `$inc` per bucket, and on FerretDB v1 one
   * lock for the batch. Every caller still gets its own exact answer. Default `true`.
   */
  readonly batching?: boolean
  /** Most charges in one batch. Default 128. */
  readonly maxBatchSize?: number
}

/** Options of `new MongoUsageStore(...)`. */
export interface MongoUsageStoreOptions extends MongoUsageStoreCommonOptions {
  /** A client the application owns: `close()` leaves it open. */
  readonly client: MongoClient
}

/** Options of {@link MongoUsageStore.fromUrl}. */
export interface MongoUsageStoreUrlOptions extends MongoUsageStoreCommonOptions {
  /**
   * Driver options, merged over the store's fail-fast defaults ({@link FAIL_FAST_CLIENT_OPTIONS}):
   * `serverSelectionTimeoutMS: 2000`, `connectTimeoutMS: 2000`, `socketTimeoutMS: 10000`,
   * `heartbeatFrequencyMS: 500`.
   */
  readonly clientOptions?: MongoClientOptions
}

/**
 * The driver options `fromUrl` starts from, so that calls fail with a 503 instead of hanging, and the
 * store finds a restarted server again within about a second: with the driver's default heartbeat
 * (10 s), a single server killed and restarted left the client failing every call for 15 s and more in
 * about a third of our restart runs on FerretDB; a 500 ms heartbeat (the driver's minimum) in none.
 */
export const FAIL_FAST_CLIENT_OPTIONS: MongoClientOptions = {
  serverSelectionTimeoutMS: 2_000,
  connectTimeoutMS: 2_000,
  socketTimeoutMS: 10_000,
  heartbeatFrequencyMS: 500,
}

/** The common options with their defaults filled in, after {@link resolveStoreOptions} checked them. */
export interface ResolvedStoreOptions {
  readonly dbName: string | undefined
  readonly collectionPrefix: string
  readonly clientLocks: ClientLockMode
  readonly leaseMs: number
  readonly batching: boolean
  readonly maxBatchSize: number
}

const LOCK_MODES: readonly ClientLockMode[] = ['auto', 'always', 'never']

/** Checks the common options (throwing `InvalidArgumentError` naming the bad one) and fills in defaults. */
export function resolveStoreOptions(options: MongoUsageStoreCommonOptions): ResolvedStoreOptions {
  const collectionPrefix = options.collectionPrefix ?? 'api_billing_'
  if (typeof collectionPrefix !== 'string' || !/^[A-Za-z0-9_.-]{0,64}$/.test(collectionPrefix)) {
    throw new InvalidArgumentError('collectionPrefix', 'use up to 64 letters, digits, "_", "-" or "."')
  }
  if (options.dbName !== undefined && !isValidDbName(options.dbName)) {
    throw new InvalidArgumentError('dbName', `"${options.dbName}" is not a valid MongoDB database name`)
  }
  const leaseMs = options.leaseMs ?? 5_000
  if (!(typeof leaseMs === 'number' && Number.isFinite(leaseMs) && leaseMs > 0)) {
    throw new InvalidArgumentError('leaseMs', 'expected a positive number of milliseconds')
  }
  const clientLocks = options.clientLocks ?? 'auto'
  if (!LOCK_MODES.includes(clientLocks)) {
    throw new InvalidArgumentError('clientLocks', 'expected "auto", "always" or "never"')
  }
  const batching = options.batching ?? true
  if (typeof batching !== 'boolean') throw new InvalidArgumentError('batching', 'expected true or false')
  const maxBatchSize = options.maxBatchSize ?? 128
  if (!(Number.isSafeInteger(maxBatchSize) && maxBatchSize >= 1)) {
    throw new InvalidArgumentError('maxBatchSize', 'expected a whole number of charges, at least 1')
  }
  return { dbName: options.dbName, collectionPrefix, clientLocks, leaseMs, batching, maxBatchSize }
}

/** Checks the connection string of `fromUrl`; throws `InvalidArgumentError('url', ...)` otherwise. */
export function assertMongoUrl(url: unknown): asserts url is string {
  if (typeof url !== 'string' || !/^mongodb(\+srv)?:\/\//.test(url)) {
    throw new InvalidArgumentError('url', 'expected a "mongodb://" or "mongodb+srv://" connection string')
  }
}

/** MongoDB's rules: 1–63 characters, none of `/\\. "$*<>:|?` and no NUL. */
function isValidDbName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length < 64 &&
    !/[/\\. "$*<>:|?]/.test(name) &&
    !name.includes(String.fromCharCode(0))
  )
}
