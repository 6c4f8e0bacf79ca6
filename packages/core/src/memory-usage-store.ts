import { StoreUnavailableError } from './errors/store-unavailable-error.js'
import { hasRoom } from './has-room.js'
import { isWholeClientDelete } from './is-whole-client-delete.js'
import { type LedgerBucket, ledgerBucketStart } from './ledger-bucket.js'
import type { QuotaDuration } from './quota-duration.js'
import type {
  ChargeRequest,
  ChargeResult,
  DeleteUsageRequest,
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

interface Slot {
  start: number
  end: number
  used: number
}

/** Per client and duration: the newest window, the one before it, and any older one a late clock touched. */
interface Counter {
  current: Slot
  previous: Slot | undefined
  stale: Map<number, Slot> | undefined
}

/**
 * A client's counters by duration: a `Map` in miniature over a short array (a plan has at most seven
 * durations), a few hundred bytes lighter per client than a `Map`, and as fast to search at that size.
 */
class DurationMap {
  private readonly durations: QuotaDuration[] = []
  private readonly counters: Counter[] = []

  get(duration: QuotaDuration): Counter | undefined {
    const { durations } = this
    for (let i = 0; i < durations.length; i++) if (durations[i] === duration) return this.counters[i]
    return undefined
  }

  set(duration: QuotaDuration, counter: Counter): void {
    const i = this.durations.indexOf(duration)
    if (i >= 0) this.counters[i] = counter
    else {
      this.durations.push(duration)
      this.counters.push(counter)
    }
  }

  delete(duration: QuotaDuration): void {
    const i = this.durations.indexOf(duration)
    if (i < 0) return
    this.durations.splice(i, 1)
    this.counters.splice(i, 1)
  }

  /** A copy of the entries, so that the caller may delete while iterating. */
  entries(): [QuotaDuration, Counter][] {
    return this.durations.map((d, i) => [d, this.counters[i] as Counter])
  }
}

/** Net credits of one ledger bucket, mutable so the bucket being filled is updated without a map write. */
interface LedgerCell {
  credits: number
}

/** Everything the store keeps about one client: found with one map lookup per charge. */
interface ClientState {
  readonly counters: DurationMap
  readonly ledger: Map<number, LedgerCell>
  /** The bucket last charged or refunded (usually the current one), or `undefined`. */
  lastBucket: number
  lastCell: LedgerCell | undefined
}

interface KeyRecord {
  readonly expiresAt: number
  readonly used: readonly number[]
}

/**
 * A {@link UsageStore} in this process's memory: atomic because JavaScript runs one charge at a time,
 * and fast. For tests, a single instance, or a cache of nothing: usage is lost on exit and not shared
 * between processes. Keeps two windows per client and duration (the current and the previous one),
 * 15-minute ledger buckets, and bounded idempotency keys.
 */
export class MemoryUsageStore implements UsageStore {
  private readonly clients = new Map<string, ClientState>()
  private readonly idempotency = new Map<string, KeyRecord>()
  private readonly refunds = new Map<string, number>()
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
    const { clientId, windows, cost, at, idempotency } = request
    const keyId = idempotency === undefined ? undefined : `${clientId}\u0000${idempotency.key}`
    if (keyId !== undefined) {
      const seen = this.idempotency.get(keyId)
      if (seen !== undefined && seen.expiresAt > at) return { allowed: true, used: seen.used, replayed: true }
    }
    const state = this.stateOf(clientId)
    const { counters } = state
    const count = windows.length
    const used: number[] = new Array(count)
    let fits = true
    for (let i = 0; i < count; i++) {
      const w = windows[i] as StoreWindow
      const u = readSlot(counters.get(w.duration), w)?.used ?? 0
      used[i] = u
      if (!hasRoom(u, cost, w.limit)) fits = false
    }
    if (!fits) return { allowed: false, used, replayed: false }
    for (let i = 0; i < count; i++) {
      used[i] = this.slotFor(counters, windows[i] as StoreWindow).used += cost
    }
    addToLedger(state, at, cost)
    if (idempotency !== undefined) {
      remember(this.idempotency, keyId as string, { expiresAt: idempotency.expiresAt, used }, this.maxKeys)
    }
    return { allowed: true, used, replayed: false }
  }

  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    this.assertOpen()
    const counters = this.clients.get(clientId)?.counters
    return windows.map((w) => readSlot(counters?.get(w.duration), w)?.used ?? 0)
  }

  async refund(request: RefundRequest): Promise<boolean> {
    this.assertOpen()
    const keyId = `${request.clientId}\u0000${request.refundKey}`
    if (this.refunds.has(keyId)) return false
    remember(this.refunds, keyId, request.refundKeyExpiresAt, this.maxKeys)
    if (request.idempotencyKey !== undefined)
      this.idempotency.delete(`${request.clientId}\u0000${request.idempotencyKey}`)
    const state = this.stateOf(request.clientId)
    for (const w of request.windows) {
      const slot = readSlot(state.counters.get(w.duration), w)
      if (slot !== undefined) slot.used = Math.max(0, slot.used - request.credits)
    }
    addToLedger(state, request.at, -request.credits)
    return true
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    this.assertOpen()
    const buckets: LedgerBucket[] = []
    for (const [start, { credits }] of this.clients.get(range.clientId)?.ledger ?? []) {
      if (start >= range.from && start < range.to && credits > 0) buckets.push({ start, credits })
    }
    return buckets.sort((a, b) => a.start - b.start)
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    this.assertOpen()
    const { clientId } = request
    if (isWholeClientDelete(request)) {
      this.clients.delete(clientId)
      deleteKeysOf(this.idempotency, clientId)
      deleteKeysOf(this.refunds, clientId)
      return
    }
    const { from, to } = request
    const inRange = (start: number) => start >= from && start < to
    const state = this.clients.get(clientId)
    if (state === undefined) return
    deleteEntries(state.ledger, (start) => inRange(start))
    deleteSlots(state.counters, (slot) => inRange(slot.start))
    forgetLastBucket(state)
  }

  async purge(request: PurgeRequest): Promise<void> {
    this.assertOpen()
    for (const state of this.clients.values()) {
      deleteEntries(state.ledger, (start) => start < request.before)
      deleteSlots(state.counters, (slot) => slot.end <= request.before)
      forgetLastBucket(state)
    }
    deleteEntries(this.idempotency, (_, record) => record.expiresAt <= request.now)
    deleteEntries(this.refunds, (_, expiresAt) => expiresAt <= request.now)
  }

  /** Drops everything; later calls reject with `StoreUnavailableError`. */
  async close(): Promise<void> {
    this.closed = true
    this.clients.clear()
    this.idempotency.clear()
    this.refunds.clear()
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('MemoryUsageStore is closed')
  }

  private slotFor(counters: DurationMap, w: StoreWindow): Slot {
    const counter = counters.get(w.duration)
    if (counter === undefined) {
      const current = { start: w.start, end: w.end, used: 0 }
      counters.set(w.duration, { current, previous: undefined, stale: undefined })
      return current
    }
    const found = readSlot(counter, w)
    if (found !== undefined) return found
    const slot = { start: w.start, end: w.end, used: 0 }
    if (w.start > counter.current.start) {
      counter.previous = counter.current
      counter.current = slot
      counter.stale = undefined
    } else {
      counter.stale ??= new Map()
      counter.stale.set(w.start, slot)
    }
    return slot
  }

  private stateOf(clientId: string): ClientState {
    let state = this.clients.get(clientId)
    if (state === undefined) {
      state = { counters: new DurationMap(), ledger: new Map(), lastBucket: Number.NaN, lastCell: undefined }
      this.clients.set(clientId, state)
    }
    return state
  }
}

/** Adds (or, negative, removes) credits to the ledger bucket of `at`, never below zero. */
function addToLedger(state: ClientState, at: number, credits: number): void {
  const start = ledgerBucketStart(at)
  let cell = state.lastBucket === start ? state.lastCell : state.ledger.get(start)
  if (cell === undefined) {
    cell = { credits: 0 }
    state.ledger.set(start, cell)
  }
  cell.credits = Math.max(0, cell.credits + credits)
  state.lastBucket = start
  state.lastCell = cell
}

/** Drops the cached bucket after buckets were deleted (it may be one of them). */
function forgetLastBucket(state: ClientState): void {
  state.lastBucket = Number.NaN
  state.lastCell = undefined
}

function readSlot(counter: Counter | undefined, w: StoreWindow): Slot | undefined {
  if (counter === undefined) return undefined
  if (counter.current.start === w.start) return counter.current
  if (counter.previous?.start === w.start) return counter.previous
  return counter.stale?.get(w.start)
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

function deleteEntries<K, V>(map: Map<K, V> | undefined, drop: (key: K, value: V) => boolean): void {
  if (map === undefined) return
  for (const [key, value] of map) if (drop(key, value)) map.delete(key)
}

function deleteSlots(counters: DurationMap | undefined, drop: (slot: Slot) => boolean): void {
  if (counters === undefined) return
  for (const [duration, counter] of counters.entries()) {
    if (counter.previous !== undefined && drop(counter.previous)) counter.previous = undefined
    deleteEntries(counter.stale, (_, slot) => drop(slot))
    if (drop(counter.current)) {
      if (counter.previous === undefined) counters.delete(duration)
      else {
        counter.current = counter.previous
        counter.previous = undefined
      }
    }
  }
}
