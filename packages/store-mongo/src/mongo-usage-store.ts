import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type ChargeRequest,
  type ChargeResult,
  type DeleteUsageRequest,
  hasRoom,
  type IdempotencyClaim,
  InvalidArgumentError,
  isUnlimited,
  isWholeClientDelete,
  type LedgerBucket,
  ledgerBucketStart,
  type PurgeRequest,
  QUOTA_DURATIONS,
  type QuotaDuration,
  type RefundRequest,
  StoreUnavailableError,
  type StoreWindow,
  toStoreUnavailableError,
  type UsageRange,
  type UsageStore,
} from '@x/api-billing-core'
import { type Collection, type Db, Double, type Filter, MongoClient, type UpdateFilter } from 'mongodb'
import { ClientLocks } from './client-locks.js'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { maxUsedWithRoom } from './max-used-with-room.js'
import type {
  ClientLockMode,
  MongoUsageStoreCommonOptions,
  MongoUsageStoreOptions,
  MongoUsageStoreUrlOptions,
} from './mongo-usage-store-options.js'
import {
  type ArchivedWindowDocument,
  type CounterDocument,
  compoundId,
  type IdempotencyKeyDocument,
  type LedgerDocument,
  type LockDocument,
  type RefundKeyDocument,
  type SlotDocument,
} from './store-documents.js'

const DEFAULT_PREFIX = 'api_billing_'
const DEFAULT_LEASE_MS = 5_000
const MAX_ATTEMPTS = 200

/** Clients `fromUrl` made: the store that got one closes it. */
const clientsMadeByStore = new WeakSet<MongoClient>()

/** Where a requested window lives, as seen in one read of the client's counter document. */
type Placement =
  | { readonly at: 'w' | 'p'; readonly slot: SlotDocument }
  | { readonly at: 'new'; readonly current?: SlotDocument; readonly previous?: SlotDocument }
  | { readonly at: 'archive'; readonly used: number }

/**
 * Stores a count as a BSON double: exact up to 2^53 and never a 32-bit integer that could overflow on
 * the server. Typed as `number` because that is what the driver reads it back as.
 */
const double = (value: number): number => new Double(value) as unknown as number

/**
 * A `UsageStore` on MongoDB (official driver 7): MongoDB 5+, Atlas, sharded clusters (shard key: the
 * client, which is the counter document's `_id`) and FerretDB.
 *
 * Every window counter of a client lives in one document, so a charge is one conditional update:
 * its filter proves that each window is the current one and has room, `$inc` charges them all. A
 * newer window rolls the current one into `p` (previous) in the same update; windows older than that
 * (an instance whose clock lags) live in a separate collection. No transactions, no pipeline updates,
 * no `$expr`. Every driver or server failure rejects with `StoreUnavailableError` (cause attached).
 */
export class MongoUsageStore implements UsageStore {
  private readonly client: MongoClient
  private readonly ownsClient: boolean
  private readonly db: Db
  private readonly counters: Collection<CounterDocument>
  private readonly windows: Collection<ArchivedWindowDocument>
  private readonly ledger: Collection<LedgerDocument>
  private readonly keys: Collection<IdempotencyKeyDocument>
  private readonly refunds: Collection<RefundKeyDocument>
  private readonly locks: ClientLocks
  private readonly lockMode: ClientLockMode
  private readonly leaseMs: number
  private locking: Promise<boolean> | undefined
  private closed = false

  /** Uses a client the application owns; `close()` leaves that client open. */
  constructor(options: MongoUsageStoreOptions) {
    if (!(options?.client instanceof MongoClient)) {
      throw new InvalidArgumentError('client', 'expected a MongoClient from the "mongodb" package')
    }
    this.client = options.client
    this.ownsClient = clientsMadeByStore.has(options.client)
    const prefix = options.collectionPrefix ?? DEFAULT_PREFIX
    checkOptions(options, prefix)
    this.db = this.client.db(options.dbName)
    this.counters = this.db.collection(`${prefix}counters`)
    this.windows = this.db.collection(`${prefix}windows`)
    this.ledger = this.db.collection(`${prefix}ledger`)
    this.keys = this.db.collection(`${prefix}idempotency_keys`)
    this.refunds = this.db.collection(`${prefix}refund_keys`)
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
    this.lockMode = options.clientLocks ?? 'auto'
    this.locks = new ClientLocks(this.db.collection<LockDocument>(`${prefix}locks`), this.leaseMs)
  }

  /**
   * Opens a store on its own client, made from a `mongodb://` or `mongodb+srv://` URL with fail-fast
   * defaults (server selection and connect 2 s, socket 10 s); `close()` closes that client.
   */
  static fromUrl(url: string, options: MongoUsageStoreUrlOptions = {}): MongoUsageStore {
    if (typeof url !== 'string' || !/^mongodb(\+srv)?:\/\//.test(url)) {
      throw new InvalidArgumentError('url', 'expected a "mongodb://" or "mongodb+srv://" connection string')
    }
    let client: MongoClient
    try {
      client = new MongoClient(url, {
        serverSelectionTimeoutMS: 2_000,
        connectTimeoutMS: 2_000,
        socketTimeoutMS: 10_000,
        ...options.clientOptions,
      })
    } catch (error) {
      throw new InvalidArgumentError('url', error instanceof Error ? error.message : String(error))
    }
    clientsMadeByStore.add(client)
    return new MongoUsageStore({ ...options, client })
  }

  /** Creates the indexes the store queries by. Idempotent. */
  async init(): Promise<void> {
    await this.run('init', async () => {
      // One index per call: FerretDB v1 drops the connection when a multi-index call meets existing ones.
      await this.windows.createIndex({ c: 1, d: 1, s: 1 })
      await this.windows.createIndex({ e: 1 })
      await this.ledger.createIndex({ c: 1, b: 1 })
      await this.ledger.createIndex({ b: 1 })
      await this.keys.createIndex({ c: 1, k: 1 })
      await this.keys.createIndex({ x: 1 })
      await this.refunds.createIndex({ c: 1 })
      await this.refunds.createIndex({ x: 1 })
      await this.usesLocks()
    })
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.run('charge', () =>
      this.serialised(request.clientId, async () => {
        if (request.idempotency === undefined) {
          const result = await this.chargeCounters(request)
          if (result.allowed) await this.addToLedger(request.clientId, request.at, request.cost)
          return { ...result, replayed: false }
        }
        return this.chargeOnce(request, request.idempotency)
      }),
    )
  }

  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    return this.run('status', async () => {
      const doc = await this.counters.findOne({ _id: clientId })
      const placements = await this.place(clientId, doc, windows)
      return placements.map(usedOf)
    })
  }

  async refund(request: RefundRequest): Promise<boolean> {
    return this.run('refund', () =>
      this.serialised(request.clientId, async () => {
        const { clientId, refundKey, credits } = request
        try {
          await this.refunds.insertOne({
            _id: compoundId(clientId, refundKey),
            c: clientId,
            x: request.refundKeyExpiresAt,
          })
        } catch (error) {
          if (isDuplicateKeyError(error)) return false
          throw error
        }
        for (const w of request.windows) await this.refundWindow(clientId, w, credits)
        await this.addToLedger(clientId, request.at, -credits)
        if (request.idempotencyKey !== undefined) {
          // A retry of a refunded (failed) request must be charged again, not replayed for free.
          await this.keys.deleteOne({ _id: compoundId(clientId, request.idempotencyKey), st: 'done' })
        }
        return true
      }),
    )
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    return this.run('readUsage', async () => {
      const docs = await this.ledger
        .find({ c: range.clientId, b: { $gte: range.from, $lt: range.to }, n: { $gt: 0 } })
        .sort({ b: 1 })
        .toArray()
      return docs.map((d) => ({ start: d.b, credits: d.n }))
    })
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    await this.run('deleteUsage', () =>
      this.serialised(request.clientId, async () => {
        const c = request.clientId
        if (isWholeClientDelete(request)) {
          await this.counters.deleteOne({ _id: c })
          await this.windows.deleteMany({ c })
          await this.ledger.deleteMany({ c })
          await this.keys.deleteMany({ c })
          await this.refunds.deleteMany({ c })
          return
        }
        const { from, to } = request
        await this.ledger.deleteMany({ c, b: { $gte: from, $lt: to } })
        await this.windows.deleteMany({ c, s: { $gte: from, $lt: to } })
        await this.unsetSlots(c, (slot) => slot.s >= from && slot.s < to)
      }),
    )
  }

  async purge(request: PurgeRequest): Promise<void> {
    await this.run('purge', async () => {
      await this.ledger.deleteMany({ b: { $lt: request.before } })
      await this.windows.deleteMany({ e: { $lte: request.before } })
      await this.keys.deleteMany({ x: { $lte: request.now } })
      await this.refunds.deleteMany({ x: { $lte: request.now } })
      const ended = QUOTA_DURATIONS.flatMap((d) => [
        { [`w.${d}.e`]: { $lte: request.before } },
        { [`p.${d}.e`]: { $lte: request.before } },
      ])
      const ids = await this.counters.find({ $or: ended }, { projection: { _id: 1 } }).toArray()
      for (const { _id } of ids) {
        await this.serialised(_id, () => this.unsetSlots(_id, (slot) => slot.e <= request.before))
      }
    })
  }

  /** Closes the client when the store made it (`fromUrl`); later calls reject with `StoreUnavailableError`. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsClient) await this.client.close()
  }

  /** Charges an idempotent request exactly once: claim the key as pending, charge, store the answer. */
  private async chargeOnce(request: ChargeRequest, claimed: IdempotencyClaim): Promise<ChargeResult> {
    const { clientId, at } = request
    const { key, expiresAt } = claimed
    const _id = compoundId(clientId, key)
    const token = randomUUID()
    const locked = await this.usesLocks()
    const claim = () => ({
      c: clientId,
      k: key,
      x: expiresAt,
      st: 'pending' as const,
      t: token,
      l: Date.now() + this.leaseMs,
    })
    for (let attempt = 0; ; attempt++) {
      try {
        await this.keys.insertOne({ _id, ...claim() })
        break
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
      const seen = await this.keys.findOne({ _id })
      if (seen === null) continue
      if (seen.x <= at) {
        await this.keys.deleteOne({ _id, t: seen.t })
        continue
      }
      if (seen.st === 'done') return { allowed: true, used: seen.used ?? [], replayed: true }
      // Pending: the first request is still charging. Under a client lock its owner is gone.
      if (locked || (seen.l ?? 0) <= Date.now()) {
        const taken = await this.keys.updateOne({ _id, t: seen.t, st: 'pending' }, { $set: claim() })
        if (taken.matchedCount === 1) break
        continue
      }
      await sleep(Math.min(2 + attempt, 25))
    }
    const result = await this.chargeCounters(request)
    if (!result.allowed) {
      await this.keys.deleteOne({ _id, t: token })
      return { ...result, replayed: false }
    }
    await this.addToLedger(clientId, at, request.cost)
    await this.keys.updateOne(
      { _id, t: token },
      { $set: { st: 'done', used: [...result.used] }, $unset: { l: '' } },
    )
    return { ...result, replayed: false }
  }

  /** The counter part of a charge: all windows or none. Retries lost races; never fails on them. */
  private async chargeCounters(request: ChargeRequest): Promise<{ allowed: boolean; used: number[] }> {
    const { clientId: c, windows, cost } = request
    // Common case: every window is the current one. One conditional update.
    if (windows.length === 0) return { allowed: true, used: [] }
    const fast: Record<string, unknown> = { _id: c }
    const inc: Record<string, number> = {}
    for (const w of windows) {
      Object.assign(fast, roomFilter('w', w, cost))
      inc[`w.${w.duration}.u`] = double(cost)
      inc[`w.${w.duration}.n`] = double(1)
    }
    const charged = await this.counters.findOneAndUpdate(
      fast as Filter<CounterDocument>,
      { $inc: inc },
      { returnDocument: 'after' },
    )
    if (charged !== null) return { allowed: true, used: windows.map((w) => charged.w?.[w.duration]?.u ?? 0) }

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 2) await sleep(Math.min(attempt, 20) * Math.random())
      const doc = await this.counters.findOne({ _id: c })
      const placements = await this.place(c, doc, windows)
      const used = placements.map(usedOf)
      if (windows.some((w, i) => !hasRoom(used[i] as number, cost, w.limit))) return { allowed: false, used }

      // Windows older than the previous one: reserve them first, give them back if the rest fails.
      const reserved: StoreWindow[] = []
      let reservedAll = true
      for (const [i, w] of windows.entries()) {
        if ((placements[i] as Placement).at !== 'archive') continue
        const after = await this.reserveArchived(c, w, cost)
        if (after === undefined) {
          reservedAll = false
          break
        }
        used[i] = after
        reserved.push(w)
      }
      const done = reservedAll && (await this.chargeCounterDocument(c, doc, windows, placements, cost, used))
      if (done) return { allowed: true, used }
      for (const w of reserved) {
        await this.windows.updateOne({ _id: archivedId(c, w) }, { $inc: { u: double(-cost), v: double(1) } })
      }
    }
    throw new StoreUnavailableError(
      `MongoUsageStore: charge for client "${c}" lost ${MAX_ATTEMPTS} races in a row; try again`,
    )
  }

  /**
   * Charges the windows held in the counter document (current, previous, or new ones rolling the
   * current into previous) with one conditional update, or inserts the document. `false` when a
   * concurrent change invalidated what was read; fills `used` on success.
   */
  private async chargeCounterDocument(
    c: string,
    doc: CounterDocument | null,
    windows: readonly StoreWindow[],
    placements: readonly Placement[],
    cost: number,
    used: number[],
  ): Promise<boolean> {
    const inDocument = windows.filter((_, i) => (placements[i] as Placement).at !== 'archive')
    if (inDocument.length === 0) return true
    if (doc === null) {
      const w: CounterDocument['w'] = {}
      for (const win of inDocument) w[win.duration] = slot(win, cost)
      try {
        await this.counters.insertOne({ _id: c, w, p: {} })
      } catch (error) {
        if (isDuplicateKeyError(error)) return false
        throw error
      }
      for (const [i, p] of placements.entries()) if (p.at !== 'archive') used[i] = cost
      return true
    }
    const filter: Record<string, unknown> = { _id: c }
    const inc: Record<string, number> = {}
    const set: Record<string, SlotDocument> = {}
    for (const [i, w] of windows.entries()) {
      const p = placements[i] as Placement
      const d = w.duration
      if (p.at === 'w' || p.at === 'p') {
        Object.assign(filter, roomFilter(p.at, w, cost))
        inc[`${p.at}.${d}.u`] = double(cost)
        inc[`${p.at}.${d}.n`] = double(1)
      } else if (p.at === 'new') {
        set[`w.${d}`] = slot(w, cost)
        if (p.current === undefined) {
          filter[`w.${d}`] = { $exists: false }
          continue
        }
        filter[`w.${d}.s`] = p.current.s
        filter[`w.${d}.n`] = p.current.n
        set[`p.${d}`] = { s: p.current.s, e: p.current.e, u: double(p.current.u), n: double(p.current.n) }
        if (p.previous !== undefined) {
          filter[`p.${d}.s`] = p.previous.s
          filter[`p.${d}.n`] = p.previous.n
          await this.archive(c, d, p.previous)
        } else {
          filter[`p.${d}`] = { $exists: false }
        }
      }
    }
    const update: UpdateFilter<CounterDocument> = {}
    if (Object.keys(inc).length > 0) update.$inc = inc
    if (Object.keys(set).length > 0) update.$set = set
    const after = await this.counters.findOneAndUpdate(filter as Filter<CounterDocument>, update, {
      returnDocument: 'after',
    })
    if (after === null) return false
    for (const [i, w] of windows.entries()) {
      if ((placements[i] as Placement).at === 'archive') continue
      const current = after.w?.[w.duration]
      used[i] = (current?.s === w.start ? current.u : after.p?.[w.duration]?.u) ?? 0
    }
    return true
  }

  /**
   * Copies a previous window that is about to be rolled out of the counter document into the archive
   * collection, before the update that drops it (so a reader never misses it). The copy carries the
   * window's version: a stale copy (lower version) never overwrites a newer one.
   */
  private async archive(c: string, d: QuotaDuration, previous: SlotDocument): Promise<void> {
    const _id = compoundId(c, d, previous.s)
    try {
      await this.windows.updateOne(
        { _id, v: { $lt: previous.n } },
        { $set: { c, d, s: previous.s, e: previous.e, u: double(previous.u), v: double(previous.n) } },
        { upsert: true },
      )
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error
    }
  }

  /** Adds `cost` to an archived window if it has room; its new `used`, or `undefined` when full. */
  private async reserveArchived(c: string, w: StoreWindow, cost: number): Promise<number | undefined> {
    const _id = archivedId(c, w)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const filter: Filter<ArchivedWindowDocument> = isUnlimited(w.limit)
        ? { _id }
        : { _id, u: { $lte: maxUsedWithRoom(cost, w.limit) } }
      const after = await this.windows.findOneAndUpdate(
        filter,
        { $inc: { u: double(cost), v: double(1) } },
        { returnDocument: 'after' },
      )
      if (after !== null) return after.u
      const existing = await this.windows.findOne({ _id })
      if (existing !== null) {
        if (!hasRoom(existing.u, cost, w.limit)) return undefined
        continue
      }
      if (!hasRoom(0, cost, w.limit)) return undefined
      try {
        await this.windows.insertOne({
          _id,
          c,
          d: w.duration,
          s: w.start,
          e: w.end,
          u: double(cost),
          v: double(1),
        })
        return cost
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
    }
    return undefined
  }

  /** Where each window lives, with its `used`, from one read of the counter document. */
  private async place(
    c: string,
    doc: CounterDocument | null,
    windows: readonly StoreWindow[],
  ): Promise<Placement[]> {
    const placements: Placement[] = windows.map((w) => {
      const current = doc?.w?.[w.duration]
      const previous = doc?.p?.[w.duration]
      if (current?.s === w.start) return { at: 'w', slot: current }
      if (previous?.s === w.start) return { at: 'p', slot: previous }
      const newest = Math.max(current?.s ?? Number.NEGATIVE_INFINITY, previous?.s ?? Number.NEGATIVE_INFINITY)
      if (w.start > newest) {
        return current === undefined ? { at: 'new' } : { at: 'new', current, previous }
      }
      return { at: 'archive', used: 0 }
    })
    const archivedIds = windows.flatMap((w, i) =>
      (placements[i] as Placement).at === 'archive' ? [archivedId(c, w)] : [],
    )
    if (archivedIds.length === 0) return placements
    const archived = await this.windows.find({ _id: { $in: archivedIds } }).toArray()
    const usedById = new Map(archived.map((a) => [a._id, a.u]))
    return placements.map((p, i) =>
      p.at === 'archive'
        ? { at: 'archive', used: usedById.get(archivedId(c, windows[i] as StoreWindow)) ?? 0 }
        : p,
    )
  }

  /** Subtracts `credits` from one window, never below zero. */
  private async refundWindow(c: string, w: StoreWindow, credits: number): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await this.counters.findOne({ _id: c })
      const [placement] = await this.place(c, doc, [w])
      if (placement === undefined || placement.at === 'new') return
      if (placement.at === 'archive') {
        const _id = archivedId(c, w)
        if ((await this.windows.findOne({ _id })) === null) return
        const down = await this.windows.updateOne(
          { _id, u: { $gte: credits } },
          { $inc: { u: double(-credits), v: double(1) } },
        )
        if (down.matchedCount === 1) return
        const zero = await this.windows.updateOne(
          { _id, u: { $lt: credits } },
          { $set: { u: double(0) }, $inc: { v: double(1) } },
        )
        if (zero.matchedCount === 1) return
        continue
      }
      const path = `${placement.at}.${w.duration}`
      const down = await this.counters.updateOne(
        { _id: c, [`${path}.s`]: w.start, [`${path}.u`]: { $gte: credits } },
        { $inc: { [`${path}.u`]: double(-credits), [`${path}.n`]: double(1) } },
      )
      if (down.matchedCount === 1) return
      const zero = await this.counters.updateOne(
        { _id: c, [`${path}.s`]: w.start, [`${path}.u`]: { $lt: credits } },
        { $set: { [`${path}.u`]: double(0) }, $inc: { [`${path}.n`]: double(1) } },
      )
      if (zero.matchedCount === 1) return
    }
    throw new StoreUnavailableError(
      `MongoUsageStore: refund for client "${c}" lost ${MAX_ATTEMPTS} races in a row`,
    )
  }

  /** Adds (or, negative, removes, never below zero) credits in the ledger bucket of `at`. */
  private async addToLedger(c: string, at: number, credits: number): Promise<void> {
    if (credits === 0) return
    const b = ledgerBucketStart(at)
    const _id = compoundId(c, b)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        if (credits > 0) {
          await this.ledger.updateOne(
            { _id },
            { $inc: { n: double(credits) }, $setOnInsert: { c, b } },
            { upsert: true },
          )
          return
        }
        const down = await this.ledger.updateOne(
          { _id, n: { $gte: -credits } },
          { $inc: { n: double(credits) } },
        )
        if (down.matchedCount === 1) return
        const zero = await this.ledger.updateOne({ _id, n: { $lt: -credits } }, { $set: { n: double(0) } })
        if (zero.matchedCount === 1 || (await this.ledger.findOne({ _id })) === null) return
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
    }
  }

  /** Removes the counter-document windows `drop` selects, each only if it is still the one read. */
  private async unsetSlots(c: string, drop: (slot: SlotDocument) => boolean): Promise<void> {
    const doc = await this.counters.findOne({ _id: c })
    for (const at of ['w', 'p'] as const) {
      for (const [d, s] of Object.entries(doc?.[at] ?? {})) {
        if (s === undefined || !drop(s)) continue
        await this.counters.updateOne({ _id: c, [`${at}.${d}.s`]: s.s }, { $unset: { [`${at}.${d}`]: '' } })
      }
    }
  }

  /** Runs `work` under the client's lock when the server needs one, else directly. */
  private async serialised<T>(clientId: string, work: () => Promise<T>): Promise<T> {
    return (await this.usesLocks()) ? this.locks.run(clientId, work) : work()
  }

  /** Whether writes take a client lock: asks the server once in `'auto'` mode (FerretDB v1 needs it). */
  private usesLocks(): Promise<boolean> {
    if (this.lockMode !== 'auto') return Promise.resolve(this.lockMode === 'always')
    this.locking ??= this.db
      .admin()
      .command({ buildInfo: 1 })
      .then((info) => typeof info.ferretdbVersion === 'string' && /^v?1\./.test(info.ferretdbVersion))
      .catch((error: unknown) => {
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

function checkOptions(options: MongoUsageStoreCommonOptions, prefix: string): void {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.-]{0,64}$/.test(prefix)) {
    throw new InvalidArgumentError('collectionPrefix', 'use up to 64 letters, digits, "_", "-" or "."')
  }
  if (options.dbName !== undefined && !isValidDbName(options.dbName)) {
    throw new InvalidArgumentError('dbName', `"${options.dbName}" is not a valid MongoDB database name`)
  }
  if (options.leaseMs !== undefined && !(Number.isFinite(options.leaseMs) && options.leaseMs > 0)) {
    throw new InvalidArgumentError('leaseMs', 'expected a positive number of milliseconds')
  }
  if (options.clientLocks !== undefined && !['auto', 'always', 'never'].includes(options.clientLocks)) {
    throw new InvalidArgumentError('clientLocks', 'expected "auto", "always" or "never"')
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

/**
 * The filter that proves window `w` is held at `at` and, if limited, has room for `cost`: core's
 * `hasRoom(used, cost, limit)`, stated as `used <= maxUsedWithRoom(cost, limit)` (exactly equivalent).
 */
function roomFilter(at: 'w' | 'p', w: StoreWindow, cost: number): Record<string, unknown> {
  const path = `${at}.${w.duration}`
  if (isUnlimited(w.limit)) return { [`${path}.s`]: w.start }
  return { [`${path}.s`]: w.start, [`${path}.u`]: { $lte: maxUsedWithRoom(cost, w.limit) } }
}

function slot(w: StoreWindow, used: number): SlotDocument {
  return { s: w.start, e: w.end, u: double(used), n: double(1) }
}

function archivedId(c: string, w: StoreWindow): string {
  return compoundId(c, w.duration, w.start)
}

function usedOf(p: Placement): number {
  if (p.at === 'w' || p.at === 'p') return p.slot.u
  return p.at === 'archive' ? p.used : 0
}
