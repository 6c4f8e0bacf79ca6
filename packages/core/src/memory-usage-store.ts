import { compareClientIds } from './compare-client-ids.js'
import type { GrantRequest, StoredGrant } from './credit-grant.js'
import { StoreUnavailableError } from './errors/store-unavailable-error.js'
import { hasRoom } from './has-room.js'
import { isWholeClientDelete } from './is-whole-client-delete.js'
import { type LedgerBucket, ledgerBucketStart } from './ledger-bucket.js'
import { chargeInPlace } from './memory-charge-in-place.js'
import { type MemoryClientRecord, START, USED } from './memory-client-record.js'
import { memoryDurationRank } from './memory-duration-rank.js'
import { MemoryGrants } from './memory-grants.js'
import {
  addCreditToLedger,
  addToLedger,
  dropLedgerRange,
  isLedgerEmpty,
  ledgerBuckets,
  refundLedger,
} from './memory-ledger.js'
import { MemoryStaleWindows } from './memory-stale-windows.js'
import {
  advanceCounter,
  counterSlot,
  dropCounters,
  findCounter,
  newRecordWithCounters,
  slotStart,
  type WindowFilter,
  windowSlot,
  withCounter,
} from './memory-window-counters.js'
import { planCreditCharge } from './plan-credit-charge.js'
import type { ScannedBucket, UsageScan } from './usage-scan.js'
import type {
  ChargeRequest,
  ChargeResult,
  DeleteUsageRequest,
  IdempotencyClaim,
  PurgeRequest,
  RefundRequest,
  StoreWindow,
  UsageRange,
  UsageStore,
} from './usage-store.js'

/** Options of {@link MemoryUsageStore}. */
export interface MemoryUsageStoreOptions {
  /**
   * Most idempotency keys (and, separately, refund keys) kept at once; past it the oldest are
   * forgotten early, so memory stays bounded under a flood of unique keys. Default 100 000.
   */
  readonly maxKeys?: number
}

interface KeyRecord {
  readonly expiresAt: number
  /** The first answer, returned again (as a replay) while the key is remembered. */
  readonly result: ChargeResult
}

/** The answer to a charge whose idempotency key was seen: the first answer, marked replayed. */
function replay(seen: KeyRecord): ChargeResult {
  const { used, credit } = seen.result
  return credit === undefined
    ? { allowed: true, used, replayed: true }
    : { allowed: true, used, replayed: true, credit }
}

/**
 * A {@link UsageStore} in this process's memory: atomic because JavaScript runs one charge at a time,
 * and fast. For tests, a single instance, or a cache of nothing: usage is lost on exit and not shared
 * between processes. Keeps two windows per client and duration (the current and the previous one),
 * 15-minute ledger buckets, and bounded idempotency keys. A client charged in one window costs about
 * 170 bytes (its map entry and one flat array of numbers, see `MemoryClientRecord`).
 */
export class MemoryUsageStore implements UsageStore {
  private readonly clients = new Map<string, MemoryClientRecord>()
  private readonly idempotency = new Map<string, KeyRecord>()
  private readonly refunds = new Map<string, number>()
  private readonly grants = new MemoryGrants()
  /** Windows older than a counter's previous one; created when a late clock first charges one. */
  private stale: MemoryStaleWindows | undefined
  /** Where {@link chargeSync} found each window's `used` while checking room, reused between calls. */
  private slots: number[] = []
  private readonly maxKeys: number
  private closed = false

  constructor(options: MemoryUsageStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000
  }

  /** Nothing to prepare; resolves at once. */
  async init(): Promise<void> {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.chargeSync(request)
  }

  /** {@link charge} without the promise; the engine uses it directly. */
  chargeSync(request: ChargeRequest): ChargeResult {
    if (this.closed) this.assertOpen()
    return request.idempotency === undefined ? this.chargeOnce(request) : this.chargeKeyed(request)
  }

  /** A charge with an idempotency key: the first answer again while the key is remembered. */
  private chargeKeyed(request: ChargeRequest): ChargeResult {
    const { clientId, idempotency } = request
    const { key, expiresAt } = idempotency as IdempotencyClaim
    const keyId = `${clientId}\u0000${key}`
    const seen = this.idempotency.get(keyId)
    if (seen !== undefined && seen.expiresAt > request.at) return replay(seen)
    const result = this.chargeOnce(request)
    if (result.allowed) remember(this.idempotency, keyId, { expiresAt, result }, this.maxKeys)
    return result
  }

  /**
   * Charges every window, or none: in place when it is the usual charge (`chargeInPlace`), else the
   * general way. The hot path: a few bytes of bytecode, so that V8 inlines it into the engine's charge.
   */
  private chargeOnce(request: ChargeRequest): ChargeResult {
    const found = this.clients.get(request.clientId)
    return (found === undefined ? undefined : chargeInPlace(found, request)) ?? this.chargeAny(request, found)
  }

  /**
   * {@link chargeOnce} of any charge (a new client or window, a late clock, overflow windows): checks every
   * window, remembering where each one's counter is in `slots`, and charges them all, or none; a window
   * with overflow goes the credit way.
   */
  private chargeAny(request: ChargeRequest, found: MemoryClientRecord | undefined): ChargeResult {
    const { clientId, windows, cost } = request
    const count = windows.length
    const used: number[] = new Array(count)
    const slots = this.slotsFor(count)
    let fits = true
    let overflows = false
    for (let i = 0; i < count; i++) {
      const w = windows[i] as StoreWindow
      let slot = -1
      let u = 0
      if (found !== undefined) {
        slot = windowSlot(found, w)
        u = slot >= 0 ? (found[slot] as number) : this.usedIn(clientId, found, w)
      }
      slots[i] = slot
      used[i] = u
      if (w.overflow !== undefined) overflows = true
      else if (!hasRoom(u, cost, w.limit)) fits = false
    }
    if (overflows) return this.chargeWithCredit(request, found, used)
    if (!fits) return { allowed: false, used, replayed: false }
    const record = addToLedger(this.chargeWindows(clientId, found, request, used), request.at, cost)
    if (record !== found) this.clients.set(clientId, record)
    return { allowed: true, used, replayed: false }
  }

  /** The rest of a charge with overflow windows, decided by core's `planCreditCharge`. */
  private chargeWithCredit(
    request: ChargeRequest,
    found: MemoryClientRecord | undefined,
    used: number[],
  ): ChargeResult {
    const { clientId, windows, cost, at } = request
    const credit = planCreditCharge(windows, used, cost, this.grants.spendable(clientId, at))
    if (credit.rejectedBy !== undefined) return { allowed: false, used, replayed: false, credit }
    this.grants.spend(clientId, credit.spent)
    const record = addToLedger(this.chargeWindows(clientId, found, request, used), at, cost)
    addCreditToLedger(record, at, credit.fromBalance, credit.overage)
    if (record !== found) this.clients.set(clientId, record)
    return { allowed: true, used, replayed: false, credit }
  }

  /**
   * Adds the cost of an allowed charge to every window (whose counter positions {@link chargeOnce} left in
   * `slots`, and whose `used` before it in `used`, updated here). Returns the client's record: `found`, or
   * a new or grown copy the caller stores (after adding the ledger).
   */
  private chargeWindows(
    clientId: string,
    found: MemoryClientRecord | undefined,
    request: ChargeRequest,
    used: number[],
  ): MemoryClientRecord {
    const { windows, cost } = request
    const slots = this.slots
    let record = found ?? newRecordWithCounters(windows, ledgerBucketStart(request.at))
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i] as StoreWindow
      const slot = slots[i] as number
      if (slot >= 0 && slotStart(record, slot) === w.start) {
        const u = (record[slot] as number) + cost
        record[slot] = u
        used[i] = u
      } else record = this.chargeNewWindow(clientId, record, w, cost, used, i)
    }
    return record
  }

  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    this.assertOpen()
    const record = this.clients.get(clientId)
    return windows.map((w) => (record === undefined ? 0 : this.usedIn(clientId, record, w)))
  }

  async refund(request: RefundRequest): Promise<boolean> {
    this.assertOpen()
    const { clientId, credits } = request
    const keyId = `${clientId}\u0000${request.refundKey}`
    if (this.refunds.has(keyId)) return false
    remember(this.refunds, keyId, request.refundKeyExpiresAt, this.maxKeys)
    if (request.idempotencyKey !== undefined)
      this.idempotency.delete(`${clientId}\u0000${request.idempotencyKey}`)
    if (request.restore !== undefined) this.grants.restore(clientId, request.restore, request.now)
    const record = this.clients.get(clientId)
    if (record === undefined) return true
    for (const w of request.windows) {
      const rank = memoryDurationRank(w.duration)
      const block = findCounter(record, rank)
      if (block < 0) continue
      const slot = counterSlot(record, block, w.start)
      if (slot >= 0) record[slot] = Math.max(0, (record[slot] as number) - credits)
      else this.stale?.refund(clientId, rank, w.start, credits)
    }
    const fromBalance = request.restore?.reduce((sum, r) => sum + r.credits, 0) ?? 0
    refundLedger(record, request.at, credits, fromBalance, request.overage ?? 0)
    return true
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    this.assertOpen()
    const record = this.clients.get(range.clientId)
    return record === undefined ? [] : ledgerBuckets(record, range.from, range.to)
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    this.assertOpen()
    const { clientId } = request
    if (isWholeClientDelete(request)) {
      this.clients.delete(clientId)
      this.stale?.dropClient(clientId)
      deleteKeysOf(this.idempotency, clientId)
      deleteKeysOf(this.refunds, clientId)
      return
    }
    const { from, to } = request
    const record = this.clients.get(clientId)
    if (record === undefined) return
    const inRange: WindowFilter = (start) => start >= from && start < to
    this.keepRecord(clientId, record, this.dropWindows(clientId, dropLedgerRange(record, from, to), inRange))
  }

  async purge(request: PurgeRequest): Promise<void> {
    this.assertOpen()
    const { before } = request
    const ended: WindowFilter = (_, end) => end <= before
    for (const [clientId, record] of this.clients) {
      const kept = dropLedgerRange(record, Number.NEGATIVE_INFINITY, before)
      this.keepRecord(clientId, record, this.dropWindows(clientId, kept, ended))
    }
    this.grants.purge(before)
    deleteEntries(this.idempotency, (_, record) => record.expiresAt <= request.now)
    deleteEntries(this.refunds, (_, expiresAt) => expiresAt <= request.now)
  }

  async grantCredits(request: GrantRequest): Promise<StoredGrant> {
    this.assertOpen()
    return this.grants.add(request)
  }

  async listGrants(clientId: string, now: number): Promise<readonly StoredGrant[]> {
    this.assertOpen()
    return this.grants.list(clientId, now)
  }

  async voidGrant(clientId: string, grantId: string): Promise<boolean> {
    this.assertOpen()
    return this.grants.void(clientId, grantId)
  }

  /** Sorts the client ids on every page: fine for a test or a single instance, not for millions of clients. */
  async scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]> {
    this.assertOpen()
    const rows: ScannedBucket[] = []
    const after = scan.after
    const ids = [...this.clients.keys()]
      .filter((id) => after === undefined || compareClientIds(id, after.clientId) >= 0)
      .sort(compareClientIds)
    for (const clientId of ids) {
      const from =
        after !== undefined && clientId === after.clientId ? Math.max(scan.from, after.start + 1) : scan.from
      for (const bucket of ledgerBuckets(this.clients.get(clientId) as MemoryClientRecord, from, scan.to)) {
        rows.push({ clientId, ...bucket })
        if (rows.length === scan.limit) return rows
      }
    }
    return rows
  }

  /** Drops everything; later calls reject with `StoreUnavailableError`. */
  async close(): Promise<void> {
    this.closed = true
    this.clients.clear()
    this.idempotency.clear()
    this.refunds.clear()
    this.grants.clear()
    this.stale = undefined
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('MemoryUsageStore is closed')
  }

  /** The `used` of window `w` for the client whose record this is (0 when never charged). */
  private usedIn(clientId: string, record: MemoryClientRecord, w: StoreWindow): number {
    const rank = memoryDurationRank(w.duration)
    const block = findCounter(record, rank)
    if (block < 0) return 0
    const slot = counterSlot(record, block, w.start)
    if (slot >= 0) return record[slot] as number
    return this.stale?.used(clientId, rank, w.start) ?? 0
  }

  /**
   * Adds `cost` to window `w` when it is not already found as a counter's newest or previous window,
   * writes its new `used` to `used[i]` and returns the record (a copy when a counter was added). A
   * window newer than the counter's newest becomes the newest (windows older than the previous one are
   * forgotten); an older one is kept aside as a stale window.
   */
  private chargeNewWindow(
    clientId: string,
    found: MemoryClientRecord,
    w: StoreWindow,
    cost: number,
    used: number[],
    i: number,
  ): MemoryClientRecord {
    const rank = memoryDurationRank(w.duration)
    let record = found
    let block = findCounter(record, rank)
    if (block < 0) {
      record = withCounter(record, rank, w)
      block = findCounter(record, rank)
    }
    const slot = counterSlot(record, block, w.start)
    const { stale } = this
    if (slot >= 0) {
      used[i] = (record[slot] as number) + cost
      record[slot] = used[i] as number
    } else if (
      stale?.used(clientId, rank, w.start) === undefined &&
      w.start > (record[block + START] as number)
    ) {
      advanceCounter(record, block, w)
      stale?.dropDuration(clientId, rank)
      record[block + USED] = cost
      used[i] = cost
    } else {
      this.stale ??= new MemoryStaleWindows()
      used[i] = this.stale.charge(clientId, rank, w.start, w.end, cost)
    }
    return record
  }

  /** A scratch array of at least `count` numbers for {@link chargeSync}'s counter positions. */
  private slotsFor(count: number): number[] {
    if (this.slots.length < count) this.slots = Array.from({ length: count }, () => -1)
    return this.slots
  }

  /** Drops the client's windows that `drop` selects, from its counters and its stale windows. */
  private dropWindows(clientId: string, record: MemoryClientRecord, drop: WindowFilter): MemoryClientRecord {
    const { stale } = this
    if (stale === undefined) return dropCounters(record, drop, () => {})
    stale.dropWindows(clientId, drop)
    return dropCounters(record, drop, (rank) => stale.dropDuration(clientId, rank))
  }

  /** Stores the client's record after a change (`was` is the one before), or forgets an empty client. */
  private keepRecord(clientId: string, was: MemoryClientRecord, record: MemoryClientRecord): void {
    if (record[0] === 0 && isLedgerEmpty(record)) this.clients.delete(clientId)
    else if (record !== was) this.clients.set(clientId, record)
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) map.delete(map.keys().next().value as string)
}

function deleteKeysOf(map: Map<string, unknown>, clientId: string): void {
  const prefix = `${clientId}\u0000`
  for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key)
}

function deleteEntries<K, V>(map: Map<K, V>, drop: (key: K, value: V) => boolean): void {
  for (const [key, value] of map) if (drop(key, value)) map.delete(key)
}
