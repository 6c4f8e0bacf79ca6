import {
  assertClientId,
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
import { ClientKeyCache } from './client-key-cache.js'
import { type ClientKeys, counterKey, keysOfEscaped, slotClientsKey } from './client-keys.js'
import { CLUSTER_SLOTS } from './cluster-slot.js'
import { creditChargeCommand } from './credit-charge-command.js'
import { durabilityWarnings } from './durability-warnings.js'
import { grantCommand } from './grant-command.js'
import { grantKeyId } from './grant-ids.js'
import { storedGrant, storedGrants } from './grant-reply.js'
import { migrateUsageScanIndex } from './migrate-usage-scan-index.js'
import { clientIdOfOrdered, orderedClientId } from './ordered-client-id.js'
import { ownedClients } from './owned-clients.js'
import type { RedisStoreClient } from './redis-clients.js'
import { RedisConnection, scriptCommand } from './redis-connection.js'
import { type RedisScript, redisScript } from './redis-script.js'
import {
  type RedisUsageStoreOptions,
  type ResolvedCommonOptions,
  resolveCommonOptions,
} from './redis-usage-store-options.js'
import { chargeResult, creditChargeResult, ledgerBuckets, replyArray, replyNumber } from './reply-parsing.js'
import { CHARGE_SCRIPT } from './scripts/charge-script.js'
import { CREDIT_CHARGE_SCRIPT } from './scripts/credit-charge-script.js'
import { DELETE_USAGE_SCRIPT } from './scripts/delete-usage-script.js'
import { GRANT_CREDITS_SCRIPT } from './scripts/grant-credits-script.js'
import { LIST_GRANTS_SCRIPT } from './scripts/list-grants-script.js'
import { PURGE_CLIENT_SCRIPT } from './scripts/purge-client-script.js'
import { READ_USAGE_SCRIPT } from './scripts/read-usage-script.js'
import { REFUND_SCRIPT } from './scripts/refund-script.js'
import { VOID_GRANT_SCRIPT } from './scripts/void-grant-script.js'
import { chargeCommand, maintenanceKeys, refundCommand } from './store-requests.js'
import { USAGE_SCAN_SCRIPTS, UsageScanIndex } from './usage-scan-index.js'

const SCRIPTS = {
  charge: redisScript(CHARGE_SCRIPT),
  creditCharge: redisScript(CREDIT_CHARGE_SCRIPT),
  refund: redisScript(REFUND_SCRIPT),
  readUsage: redisScript(READ_USAGE_SCRIPT),
  deleteUsage: redisScript(DELETE_USAGE_SCRIPT),
  purgeClient: redisScript(PURGE_CLIENT_SCRIPT),
  grantCredits: redisScript(GRANT_CREDITS_SCRIPT),
  listGrants: redisScript(LIST_GRANTS_SCRIPT),
  voidGrant: redisScript(VOID_GRANT_SCRIPT),
  ...USAGE_SCAN_SCRIPTS,
} as const satisfies Record<string, RedisScript>

/** Most candidate clients one round of a usage scan reads. */
const SCAN_BATCH = 500

/** Hash slots whose client index `purge` reads at once. */
const PURGE_SLOT_BATCH = 512

/**
 * A {@link UsageStore} on Redis, standalone or Cluster, through node-redis. Every key of a client
 * carries its hash tag, so each charge, refund, read and delete is one server-side script on one
 * slot: atomic, all-or-nothing, one round trip. Concurrent calls share the connection through
 * node-redis's automatic pipelining.
 *
 * Make one with {@link createRedisUsageStore} (own client, connected and initialised), or pass the
 * application's connected client: `new RedisUsageStore({ client }); await store.init()`.
 */
export class RedisUsageStore implements UsageStore {
  private readonly connection: RedisConnection
  private readonly options: ResolvedCommonOptions
  private readonly owned: boolean
  private readonly keyCache: ClientKeyCache
  private readonly onClientError: (error: Error) => void
  private readonly scanIndex: UsageScanIndex
  private closed = false
  private outageReported = false

  constructor(options: RedisUsageStoreOptions) {
    this.options = resolveCommonOptions(options)
    const { client } = options
    if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function') {
      throw new InvalidArgumentError(
        'client',
        'expected a node-redis client or cluster (createClient() or createCluster() from "redis")',
      )
    }
    this.connection = new RedisConnection(client, this.options.commandTimeoutMs)
    this.owned = ownedClients.has(client)
    this.keyCache = new ClientKeyCache(this.options.keyPrefix)
    this.scanIndex = new UsageScanIndex(this.options.keyPrefix, (script, command, context) =>
      this.eval(script, command, context),
    )
    this.onClientError = (error) => this.reportOutage(error)
    client.on('error', this.onClientError)
  }

  /** The client the store sends its commands through. */
  get client(): RedisStoreClient {
    return this.connection.client
  }

  /**
   * Loads the scripts on the server (every master of a Cluster), upgrades a layout written before
   * credits (indexes its ledgers for `scanUsage`, once per key prefix) and warns through `onWarning`
   * when a server would lose acknowledged charges in a crash. Safe to call again.
   */
  async init(): Promise<void> {
    this.assertOpen()
    try {
      const nodes = await this.connection.nodes()
      for (const node of nodes) {
        for (const script of Object.values(SCRIPTS)) await node.run(['SCRIPT', 'LOAD', script.source])
      }
      await migrateUsageScanIndex(this.connection, this.scanIndex, this.options.keyPrefix)
      for (const warning of await durabilityWarnings(nodes)) this.options.onWarning(warning)
    } catch (error) {
      throw toStoreUnavailableError(error, 'RedisUsageStore.init')
    }
  }

  /**
   * One run of the charge script: idempotency and every window checked before anything is written. A
   * charge with an overflow window runs the credit charge script instead (windows, grants, ledger and
   * idempotency record in one run). The first charge of a client in a UTC day (per process) first
   * writes the usage-scan index.
   */
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.assertOpen()
    assertClientId(request.clientId)
    const keys = this.keysOf(request.clientId)
    const indexing = this.scanIndex.ensure(keys, request.at)
    if (indexing !== undefined) await indexing
    if (hasOverflowWindow(request.windows)) {
      const command = creditChargeCommand(SCRIPTS.creditCharge, keys, request)
      return creditChargeResult(await this.eval(SCRIPTS.creditCharge, command, 'RedisUsageStore.charge'))
    }
    const command = chargeCommand(SCRIPTS.charge, keys, request)
    return chargeResult(await this.eval(SCRIPTS.charge, command, 'RedisUsageStore.charge'))
  }

  /** One `MGET` of the window counters (0 for a counter never charged or expired). */
  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    this.assertOpen()
    assertClientId(clientId)
    if (windows.length === 0) return []
    const keys = this.keysOf(clientId)
    const counters = windows.map((w) => counterKey(keys, w.duration, w.start))
    try {
      const reply = await this.connection.run(counters[0] as string, ['MGET', ...counters])
      this.outageReported = false
      return replyArray(reply, 'MGET').map(replyNumber)
    } catch (error) {
      throw toStoreUnavailableError(error, 'RedisUsageStore.status')
    }
  }

  /**
   * One run of the refund script: once per refund key, never below zero, forgets the idempotency key,
   * restores the grants in `restore` (not voided, not expired at `now`, never above their credits).
   */
  async refund(request: RefundRequest): Promise<boolean> {
    this.assertOpen()
    assertClientId(request.clientId)
    const command = refundCommand(SCRIPTS.refund, this.keysOf(request.clientId), request)
    return replyNumber(await this.eval(SCRIPTS.refund, command, 'RedisUsageStore.refund')) === 1
  }

  /** One read script: the ledger buckets starting in `[from, to)`, by start, empty ones left out. */
  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    this.assertOpen()
    assertClientId(range.clientId)
    return this.bucketsOf(range.clientId, range.from, range.to, 'RedisUsageStore.readUsage')
  }

  /** One delete script: the whole client, or its ledger buckets and counters starting in the range. */
  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    this.assertOpen()
    assertClientId(request.clientId)
    const keys = this.keysOf(request.clientId)
    const command = scriptCommand(SCRIPTS.deleteUsage, maintenanceKeys(keys))
    command.push(keys.base, keys.id)
    if (!isWholeClientDelete(request)) command.push(String(request.from), String(request.to))
    await this.eval(SCRIPTS.deleteUsage, command, 'RedisUsageStore.deleteUsage')
  }

  /**
   * Walks the client index of every hash slot (16 384 small sets, a batch at a time) and runs the
   * retention script on each client found (usage, keys and expired grants); a client left with nothing
   * leaves its slot's index. Then drops the usage-scan index of the days purged.
   */
  async purge(request: PurgeRequest): Promise<void> {
    this.assertOpen()
    for (let first = 0; first < CLUSTER_SLOTS; first += PURGE_SLOT_BATCH) {
      const slots = Array.from(
        { length: Math.min(PURGE_SLOT_BATCH, CLUSTER_SLOTS - first) },
        (_, i) => first + i,
      )
      await Promise.all(slots.map((slot) => this.purgeSlot(slot, request)))
    }
    await this.scanIndex.purge(request.before)
  }

  /** One grant script: stores the grant unless the client has one made with the same idempotency key. */
  async grantCredits(request: GrantRequest): Promise<StoredGrant> {
    this.assertOpen()
    assertClientId(request.clientId)
    const command = grantCommand(SCRIPTS.grantCredits, this.keysOf(request.clientId), request)
    return storedGrant(await this.eval(SCRIPTS.grantCredits, command, 'RedisUsageStore.grantCredits'))
  }

  /** One read script over the client's live grants (not voided, credits left), not expired at `now`. */
  async listGrants(clientId: string, now: number): Promise<readonly StoredGrant[]> {
    this.assertOpen()
    assertClientId(clientId)
    const keys = this.keysOf(clientId)
    const command = scriptCommand(SCRIPTS.listGrants, [keys.liveGrants])
    command.push(String(now), keys.base)
    return storedGrants(await this.eval(SCRIPTS.listGrants, command, 'RedisUsageStore.listGrants'))
  }

  /** One script: marks the grant voided and takes it out of the live set. */
  async voidGrant(clientId: string, grantId: string): Promise<boolean> {
    this.assertOpen()
    assertClientId(clientId)
    const keys = this.keysOf(clientId)
    const command = scriptCommand(SCRIPTS.voidGrant, [keys.liveGrants])
    command.push(keys.base, grantKeyId(grantId))
    return replyNumber(await this.eval(SCRIPTS.voidGrant, command, 'RedisUsageStore.voidGrant')) === 1
  }

  /**
   * Pages through the usage-scan index: the rest of `after`'s client, then the next clients in
   * byte-wise order (a batch of candidates at a time from the days that overlap the range), each
   * client's buckets read by one script in its own slot. Candidates without a bucket in the range are
   * skipped.
   */
  async scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]> {
    this.assertOpen()
    const { from, to, after, limit } = scan
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new InvalidArgumentError('limit', `expected a positive integer, got ${String(limit)}`)
    }
    const rows: ScannedBucket[] = []
    if (from >= to) return rows
    if (after !== undefined) {
      const own = await this.bucketsOf(after.clientId, Math.max(from, after.start + 1), to, SCAN)
      addRows(rows, after.clientId, own, limit)
    }
    let cursor = after === undefined ? '' : orderedClientId(after.clientId)
    while (rows.length < limit) {
      const ids = await this.scanIndex.candidates(from, to, cursor, Math.min(limit - rows.length, SCAN_BATCH))
      if (ids.length === 0) break
      const clients = ids.map(clientIdOfOrdered)
      const found = await Promise.all(clients.map((clientId) => this.bucketsOf(clientId, from, to, SCAN)))
      for (const [i, clientId] of clients.entries()) addRows(rows, clientId, found[i] ?? [], limit)
      cursor = ids[ids.length - 1] as string
    }
    return rows
  }

  /**
   * Stops using the client: quits it when `createRedisUsageStore` made it, leaves it open when the
   * application passed it. Later calls reject with `StoreUnavailableError`.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const { client } = this.connection
    if (!this.owned) {
      client.off('error', this.onClientError)
      return
    }
    // The listener stays on a client the store owns: it is ignored from now on, and a late 'error'
    // from a dying connection must not become an unhandled event.
    try {
      if (client.isOpen) await client.close()
    } catch {
      client.destroy()
    }
  }

  private keysOf(clientId: string): ClientKeys {
    return this.keyCache.get(clientId)
  }

  private async bucketsOf(
    clientId: string,
    from: number,
    to: number,
    context: string,
  ): Promise<LedgerBucket[]> {
    const keys = this.keysOf(clientId)
    const command = scriptCommand(SCRIPTS.readUsage, [keys.ledger, keys.ledgerIndex])
    command.push(String(from), String(to))
    return ledgerBuckets(await this.eval(SCRIPTS.readUsage, command, context))
  }

  private async purgeSlot(slot: number, request: PurgeRequest): Promise<void> {
    const index = slotClientsKey(this.options.keyPrefix, slot)
    let ids: unknown[]
    try {
      ids = replyArray(await this.connection.run(index, ['SMEMBERS', index]), 'SMEMBERS')
    } catch (error) {
      throw toStoreUnavailableError(error, 'RedisUsageStore.purge')
    }
    for (const id of ids) {
      const keys = keysOfEscaped(this.options.keyPrefix, String(id))
      const command = scriptCommand(SCRIPTS.purgeClient, maintenanceKeys(keys))
      command.push(keys.base, keys.id, String(request.before), String(request.now))
      await this.eval(SCRIPTS.purgeClient, command, 'RedisUsageStore.purge')
    }
  }

  private async eval(script: RedisScript, command: string[], context: string): Promise<unknown> {
    try {
      const reply = await this.connection.eval(script, command)
      this.outageReported = false
      return reply
    } catch (error) {
      throw toStoreUnavailableError(error, context)
    }
  }

  private reportOutage(error: Error): void {
    if (this.outageReported || this.closed) return
    this.outageReported = true
    this.options.onWarning(
      `RedisUsageStore: Redis connection error (${error.message}); the client reconnects by itself, and calls fail with StoreUnavailableError meanwhile.`,
    )
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('RedisUsageStore is closed')
  }
}

const SCAN = 'RedisUsageStore.scanUsage'

/** Appends `clientId`'s buckets to `rows` as scanned rows, until `rows` holds `limit`. */
function addRows(
  rows: ScannedBucket[],
  clientId: string,
  buckets: readonly LedgerBucket[],
  limit: number,
): void {
  for (const bucket of buckets) {
    if (rows.length >= limit) return
    rows.push({ clientId, ...bucket })
  }
}
