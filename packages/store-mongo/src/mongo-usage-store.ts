import {
  type ChargeRequest,
  type ChargeResult,
  type DeleteUsageRequest,
  type GrantRequest,
  hasOverflowWindow,
  InvalidArgumentError,
  isWholeClientDelete,
  type LedgerBucket,
  type PurgeRequest,
  type RefundRequest,
  type ScannedBucket,
  type StoredGrant,
  StoreUnavailableError,
  type StoreWindow,
  toStoreUnavailableError,
  type UsageRange,
  type UsageScan,
  type UsageStore,
} from '@x/api-billing-core'
import { type Db, MongoClient } from 'mongodb'
import { ArchivedWindows } from './archived-windows.js'
import { BatchedCharges } from './batched-charges.js'
import { ClientBatcher } from './client-batcher.js'
import { ClientGrants } from './client-grants.js'
import { ClientLocks } from './client-locks.js'
import { type CollectionNames, collectionNames } from './collection-names.js'
import { CreditCounters } from './credit-counters.js'
import { IdempotencyClaims } from './idempotency-claims.js'
import { migrateLayout, recordLayout } from './layout-migration.js'
import {
  assertMongoUrl,
  FAIL_FAST_CLIENT_OPTIONS,
  type MongoUsageStoreOptions,
  type MongoUsageStoreUrlOptions,
  type ResolvedStoreOptions,
  resolveStoreOptions,
} from './mongo-usage-store-options.js'
import { RefundKeys } from './refund-keys.js'
import { serverNeedsClientLocks } from './server-needs-client-locks.js'
import type { CounterDocument } from './store-documents.js'
import { UsageLedger } from './usage-ledger.js'
import { WindowCounters } from './window-counters.js'

/** Clients `fromUrl` made: the store that got one closes it. */
const clientsMadeByStore = new WeakSet<MongoClient>()

/**
 * A `UsageStore` on MongoDB (official driver 7): MongoDB 5+, Atlas, sharded clusters (shard key: the
 * client, which is the counter document's `_id`) and FerretDB.
 *
 * Every window counter of a client lives in one document, so a charge is one conditional update:
 * its filter proves that each window is the current one and has room, `$inc` charges them all. A
 * newer window rolls the current one into `previous` in the same update; windows older than that
 * (an instance whose clock lags) live in a separate collection. No transactions, no pipeline updates,
 * no `$expr`. Charges of one client that arrive together are batched (option `batching`, default on):
 * one write of the counter document for the batch, each caller still answered exactly. Every driver or
 * server failure rejects with `StoreUnavailableError` (cause attached).
 */
export class MongoUsageStore implements UsageStore {
  private readonly client: MongoClient
  private readonly ownsClient: boolean
  private readonly db: Db
  private readonly options: ResolvedStoreOptions
  private readonly names: CollectionNames
  private readonly archive: ArchivedWindows
  private readonly counters: WindowCounters
  private readonly ledger: UsageLedger
  private readonly claims: IdempotencyClaims
  private readonly refundKeys: RefundKeys
  private readonly batches: BatchedCharges
  private readonly batcher: ClientBatcher<ChargeRequest, ChargeResult> | undefined
  private readonly grants: ClientGrants
  private readonly credits: BatchedCharges
  /** Charges with overflow windows, per client one batch at a time (of one request without `batching`). */
  private readonly creditBatcher: ClientBatcher<ChargeRequest, ChargeResult>
  private readonly locks: ClientLocks
  private locking: Promise<boolean> | undefined
  private closed = false

  /** Uses a client the application owns; `close()` leaves that client open. */
  constructor(options: MongoUsageStoreOptions) {
    if (!(options?.client instanceof MongoClient)) {
      throw new InvalidArgumentError('client', 'expected a MongoClient from the "mongodb" package')
    }
    this.options = resolveStoreOptions(options)
    const { leaseMs } = this.options
    this.names = collectionNames(this.options.collectionPrefix)
    this.client = options.client
    this.ownsClient = clientsMadeByStore.has(options.client)
    this.db = this.client.db(this.options.dbName)
    this.archive = new ArchivedWindows(this.db.collection(this.names.windows))
    this.counters = new WindowCounters(this.db.collection(this.names.counters), this.archive)
    this.ledger = new UsageLedger(this.db.collection(this.names.ledger))
    this.claims = new IdempotencyClaims(this.db.collection(this.names.idempotencyKeys), leaseMs)
    this.refundKeys = new RefundKeys(this.db.collection(this.names.refundKeys))
    this.locks = new ClientLocks(this.db.collection(this.names.locks), leaseMs)
    this.batches = new BatchedCharges(this.counters, this.ledger, this.claims)
    this.batcher = this.options.batching
      ? new ClientBatcher({
          maxBatchSize: this.options.maxBatchSize,
          flush: (clientId, requests) => this.chargeBatch(clientId, requests),
          exclusiveKey: (request) => request.idempotency?.key,
        })
      : undefined
    const counterCollection = this.db.collection<CounterDocument>(this.names.counters)
    this.grants = new ClientGrants(counterCollection)
    const creditCounters = new CreditCounters(counterCollection, this.counters, this.archive)
    this.credits = new BatchedCharges(creditCounters, this.ledger, this.claims)
    this.creditBatcher = new ClientBatcher({
      maxBatchSize: this.options.batching ? this.options.maxBatchSize : 1,
      flush: (clientId, requests) => this.chargeCreditBatch(clientId, requests),
      exclusiveKey: (request) => request.idempotency?.key,
    })
  }

  /**
   * Opens a store on its own client, made from a `mongodb://` or `mongodb+srv://` URL with fail-fast
   * defaults (server selection and connect 2 s, socket 10 s, heartbeat 500 ms); `close()` closes that
   * client.
   */
  static fromUrl(url: string, options: MongoUsageStoreUrlOptions = {}): MongoUsageStore {
    assertMongoUrl(url)
    let client: MongoClient
    try {
      client = new MongoClient(url, { ...FAIL_FAST_CLIENT_OPTIONS, ...options.clientOptions })
    } catch (error) {
      throw new InvalidArgumentError('url', error instanceof Error ? error.message : String(error))
    }
    clientsMadeByStore.add(client)
    return new MongoUsageStore({ ...options, client })
  }

  /**
   * Brings a database written by store version 0.1 to today's document layout (see `migrateLayout`),
   * creates the indexes the store queries by, and asks the server whether it needs client locks.
   * Idempotent; run it on every start, before the store serves.
   */
  async init(): Promise<void> {
    await this.run('init', async () => {
      await migrateLayout(this.db, this.names)
      // One index per call: FerretDB v1 drops the connection when a multi-index call meets existing ones.
      await this.archive.createIndexes()
      await this.ledger.createIndexes()
      await this.claims.createIndexes()
      await this.refundKeys.createIndexes()
      await this.grants.createIndexes()
      await recordLayout(this.db, this.names)
      await this.usesLocks()
    })
  }

  /**
   * Charges all windows or none. With `batching` (the default) the request joins its client's next
   * batch (see `ClientBatcher` and `BatchedCharges`); otherwise it is sent alone. A request with an
   * overflow window takes the credit path instead (`BatchedCharges` over `CreditCounters`): its client's credit charges go one
   * batch at a time per process, windows and grants changed by one conditional update.
   */
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (hasOverflowWindow(request.windows)) {
      return this.run('charge', () => this.creditBatcher.submit(request.clientId, request))
    }
    return this.run('charge', async () =>
      this.batcher === undefined
        ? ((await this.chargeBatch(request.clientId, [request]))[0] as ChargeResult)
        : this.batcher.submit(request.clientId, request),
    )
  }

  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    return this.run('status', () => this.counters.status(clientId, windows))
  }

  async refund(request: RefundRequest): Promise<boolean> {
    return this.run('refund', () =>
      this.serialised(request.clientId, async () => {
        const { clientId, credits } = request
        if (!(await this.refundKeys.claim(clientId, request.refundKey, request.refundKeyExpiresAt)))
          return false
        for (const w of request.windows) await this.counters.refund(clientId, w, credits)
        const restore = request.restore ?? []
        await this.grants.restore(clientId, restore, request.now)
        const fromBalance = restore.reduce((sum, r) => sum + r.credits, 0)
        await this.ledger.subtract(clientId, request.at, {
          credits,
          fromBalance,
          overage: request.overage ?? 0,
        })
        // A retry of a refunded (failed) request must be charged again, not replayed for free.
        if (request.idempotencyKey !== undefined)
          await this.claims.forgetDone(clientId, request.idempotencyKey)
        return true
      }),
    )
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    return this.run('readUsage', () => this.ledger.read(range))
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    await this.run('deleteUsage', () =>
      this.serialised(request.clientId, async () => {
        const { clientId } = request
        if (isWholeClientDelete(request)) {
          await this.counters.delete(clientId)
          await this.archive.delete(clientId)
          await this.ledger.delete(clientId)
          await this.claims.delete(clientId)
          await this.refundKeys.delete(clientId)
          return
        }
        const { from, to } = request
        await this.ledger.delete(clientId, { from, to })
        await this.archive.delete(clientId, { from, to })
        await this.counters.removeSlots(clientId, (slot) => slot.start >= from && slot.start < to)
      }),
    )
  }

  async purge(request: PurgeRequest): Promise<void> {
    await this.run('purge', async () => {
      const { before, now } = request
      await this.ledger.purge(before)
      await this.archive.purge(before)
      await this.claims.purge(now)
      await this.refundKeys.purge(now)
      for (const clientId of await this.counters.clientsWithSlotsEndedBy(before)) {
        await this.serialised(clientId, () =>
          this.counters.removeSlots(clientId, (slot) => slot.end <= before),
        )
      }
      for (const clientId of await this.grants.clientsWithGrantsExpiredBy(before)) {
        await this.serialised(clientId, () => this.grants.purge(clientId, before))
      }
    })
  }

  /** Stores a grant in its client's counter document, once per idempotency key (see `ClientGrants.grant`). */
  async grantCredits(request: GrantRequest): Promise<StoredGrant> {
    return this.run('grantCredits', () => this.serialised(request.clientId, () => this.grants.grant(request)))
  }

  async listGrants(clientId: string, now: number): Promise<readonly StoredGrant[]> {
    return this.run('listGrants', () => this.grants.list(clientId, now))
  }

  async voidGrant(clientId: string, grantId: string): Promise<boolean> {
    return this.run('voidGrant', () => this.serialised(clientId, () => this.grants.void(clientId, grantId)))
  }

  /** Pages every client's ledger buckets along the `(clientId, bucketStart)` index (`UsageLedger.scan`). */
  async scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]> {
    return this.run('scanUsage', () => this.ledger.scan(scan))
  }

  /** Closes the client when the store made it (`fromUrl`); later calls reject with `StoreUnavailableError`. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsClient) await this.client.close()
  }

  /** Charges one client's requests (one, or a batch) under its lock when the server needs one. */
  private async chargeBatch(clientId: string, requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    return this.serialised(clientId, async () =>
      this.batches.charge(clientId, requests, await this.usesLocks()),
    )
  }

  /** Charges one client's credit requests (one, or a batch) under its lock when the server needs one. */
  private async chargeCreditBatch(
    clientId: string,
    requests: readonly ChargeRequest[],
  ): Promise<ChargeResult[]> {
    return this.serialised(clientId, async () =>
      this.credits.charge(clientId, requests, await this.usesLocks()),
    )
  }

  /** Runs `work` under the client's lock when the server needs one, else directly. */
  private async serialised<T>(clientId: string, work: () => Promise<T>): Promise<T> {
    return (await this.usesLocks()) ? this.locks.run(clientId, work) : work()
  }

  /** Whether writes take a client lock: asks the server once in `'auto'` mode (FerretDB v1 needs it). */
  private usesLocks(): Promise<boolean> {
    const mode = this.options.clientLocks
    if (mode !== 'auto') return Promise.resolve(mode === 'always')
    this.locking ??= serverNeedsClientLocks(this.db).catch((error: unknown) => {
      this.locking = undefined
      throw error
    })
    return this.locking
  }

  /** Rejects after `close()`; turns every driver or server failure into `StoreUnavailableError`. */
  private async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`MongoUsageStore is closed (${operation})`)
    try {
      return await work()
    } catch (error) {
      throw toStoreUnavailableError(error, `MongoUsageStore.${operation} failed`)
    }
  }
}
