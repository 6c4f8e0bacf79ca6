import type { LedgerBucket } from './ledger-bucket.js'
import type { QuotaDuration } from './quota-duration.js'

/**
 * One window a charge touches. Times are epoch milliseconds so that stores compare plain numbers.
 * Counters are keyed by `(clientId, duration, start)`: a new window is a new counter, so an instance
 * whose clock lags behind can only ever touch an older counter, never reset a newer one.
 */
export interface StoreWindow {
  readonly duration: QuotaDuration
  /** Window start, inclusive (epoch ms). */
  readonly start: number
  /** Window end, exclusive (epoch ms). Lets a store expire the counter after it. */
  readonly end: number
  /** Credit limit; `UNLIMITED` (`Infinity`) means "count, but never reject". */
  readonly limit: number
}

/** Arguments of {@link UsageStore.charge}. */
export interface ChargeRequest {
  readonly clientId: string
  /** Every window of the client's plan; all must have room or none is charged. */
  readonly windows: readonly StoreWindow[]
  /** Credits to add: a non-negative safe integer (validated by the engine). */
  readonly cost: number
  /** The instant of the charge (epoch ms): the ledger bucket it lands in. */
  readonly at: number
  /**
   * Charges with the same `(clientId, idempotency.key)` are applied once; a repeat returns the stored
   * answer of the first with `replayed: true`. Only allowed charges are remembered, so a rejected
   * request may be retried with the same key once credits renew. Default: none (every call charges).
   */
  readonly idempotency?: IdempotencyClaim
}

/**
 * An idempotency key and how long a store must remember it: the two always travel together. A key whose
 * `expiresAt` is at or before the charge's `at` counts as unseen.
 */
export interface IdempotencyClaim {
  /** The caller's key, unique per client (e.g. the `Idempotency-Key` request header). */
  readonly key: string
  /** When the store may forget the key and its answer (epoch ms). */
  readonly expiresAt: number
}

/** What {@link UsageStore.charge} answers. */
export interface ChargeResult {
  /** `true` when every window had room and all were charged; `false` when nothing changed. */
  readonly allowed: boolean
  /** Each window's `used` after the charge (or unchanged, when rejected), in request order. */
  readonly used: readonly number[]
  /** `true` when the idempotency key was seen before and nothing new was charged. */
  readonly replayed: boolean
}

/** Arguments of {@link UsageStore.refund}. */
export interface RefundRequest {
  readonly clientId: string
  /** The windows the original charge was made in (same starts as then). */
  readonly windows: readonly StoreWindow[]
  /** Credits to give back to each window and to the ledger. */
  readonly credits: number
  /** The instant of the original charge (epoch ms): its ledger bucket is the one reduced. */
  readonly at: number
  /** Makes the refund happen once: a second refund with the same key changes nothing. */
  readonly refundKey: string
  /** When the store may forget `refundKey` (epoch ms). */
  readonly refundKeyExpiresAt: number
  /**
   * The idempotency key the original charge was made with, if any. The store forgets it along with the
   * refund, so a retry with the same key (after a failed request was refunded) is charged anew rather
   * than replayed for free.
   */
  readonly idempotencyKey?: string
}

/** A client and a half-open time range `[from, to)` in epoch ms. */
export interface UsageRange {
  readonly clientId: string
  readonly from: number
  readonly to: number
}

/** The whole-client form of {@link DeleteUsageRequest}: no range at all. */
export interface DeleteAllUsageRequest {
  readonly clientId: string
  readonly from?: undefined
  readonly to?: undefined
}

/**
 * Arguments of {@link UsageStore.deleteUsage}: either the whole client (no range) or a complete range
 * `[from, to)`. The engine resolves open-ended ranges, so a store never sees half a range; it tells the two
 * forms apart with `isWholeClientDelete`.
 */
export type DeleteUsageRequest = DeleteAllUsageRequest | UsageRange

/** Arguments of {@link UsageStore.purge}. */
export interface PurgeRequest {
  /** Usage older than this (epoch ms) goes. */
  readonly before: number
  /** The current instant (epoch ms): keys that expired by then go. */
  readonly now: number
}

/**
 * Where usage lives. The engine (`ApiBilling`) owns every rule about plans, windows and time; a store
 * only keeps numbers, atomically. Every API instance that shares a store shares one count.
 *
 * Implementations must pass the conformance suite in `@x/api-billing-core/testing`.
 */
export interface UsageStore {
  /**
   * Prepares the store (schema, indexes, statements). Idempotent: safe on every start and on an
   * already-initialised database. The engine never calls it; the application does, once.
   */
  init(): Promise<void>

  /**
   * Why it exists: this is the only write on the hot path. Atomically, if every window has room
   * (`hasRoom(used, cost, limit)`, core's one room check), adds `cost` to all of them and to the ledger bucket of `at`; otherwise
   * changes nothing. Never partially applies. Throws `StoreUnavailableError` when the database fails.
   */
  charge(request: ChargeRequest): Promise<ChargeResult>

  /**
   * Optional capability, absent by default: the same contract as {@link charge}, answered synchronously.
   * Why it exists: a store that lives in this process (the memory store) saves a promise per request; the
   * engine calls it instead of `charge` when present. Stores that do I/O leave it out.
   */
  chargeSync?(request: ChargeRequest): ChargeResult

  /**
   * Why it exists: dashboards and `429` answers need the count without spending. Returns each window's
   * current `used` (0 for a window never charged), in request order. Changes nothing.
   */
  status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]>

  /**
   * Why it exists: a handler that failed, or learned the real cost was lower, gives credits back.
   * Subtracts `credits` from each window counter and from the ledger bucket of `at`, never below zero,
   * once per `refundKey`, and forgets `idempotencyKey`. Resolves `true` when applied, `false` when the
   * refund key was already used (then nothing changes).
   */
  refund(request: RefundRequest): Promise<boolean>

  /**
   * Why it exists: billing needs totals and daily charts. Returns the client's non-empty ledger buckets
   * whose start lies in `[from, to)`, ordered by start. The engine sums and groups them.
   */
  readUsage(range: UsageRange): Promise<readonly LedgerBucket[]>

  /**
   * Why it exists: frappy's `delete_client_usage`, and data-protection erasure. For the whole client
   * (`isWholeClientDelete(request)`) removes all of its counters, ledger buckets and idempotency and refund
   * keys; for a range, removes the ledger buckets and window counters whose start lies in `[from, to)`.
   */
  deleteUsage(request: DeleteUsageRequest): Promise<void>

  /**
   * Why it exists: retention, so that tables do not grow forever. Removes ledger buckets that start
   * before `request.before`, counters of windows that ended at or before it, and idempotency/refund
   * keys whose expiry is at or before `request.now` (all epoch ms).
   */
  purge(request: PurgeRequest): Promise<void>

  /** Releases connections and timers. The store must not be used afterwards. */
  close(): Promise<void>
}
