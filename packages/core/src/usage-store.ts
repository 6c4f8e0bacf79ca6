import type { GrantRequest, GrantSpend, StoredGrant } from './credit-grant.js'
import type { LedgerBucket } from './ledger-bucket.js'
import type { QuotaDuration } from './quota-duration.js'
import type { ScannedBucket, UsageScan } from './usage-scan.js'

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
  /**
   * What a charge that does not fit in `limit` does. Absent (the default): it is rejected (`hasRoom`).
   * `'balance'`: the window takes it anyway and the part beyond `limit` is paid from the client's live
   * grants. `'bill'`: the window takes it while `used` stays within `limit + overageLimit`, and the part
   * beyond `limit` is recorded as overage. One request never mixes `'balance'` and `'bill'` windows.
   * `planCreditCharge` in core is the rule; a store whose check runs in its database mirrors it.
   */
  readonly overflow?: 'balance' | 'bill'
  /** With `overflow: 'bill'`: how far past `limit` the window may go. Default `UNLIMITED`. */
  readonly overageLimit?: number
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
  /**
   * Only for a request with an overflow window (absent otherwise). A replay returns the first answer's
   * credit outcome as it was stored: absent when that first charge had no overflow window (its plan changed
   * in between).
   */
  readonly credit?: CreditOutcome
}

/**
 * The credit part of a charge with overflow windows, as `planCreditCharge` decides it: what was paid
 * from the balance (and from which grants), what was billed as overage, and the balance left.
 */
export interface CreditOutcome {
  /** Credits of this charge paid from grants (0 when rejected). */
  readonly fromBalance: number
  /** Credits of this charge billed as overage (0 when rejected). */
  readonly overage: number
  /**
   * The sum of the client's spendable grants after the charge (unchanged, when rejected), at the
   * charge's `at`; `undefined` when no window overflows into the balance.
   */
  readonly balance: number | undefined
  /** The grants the charge spent, in spending order (empty when rejected or when nothing came from them). */
  readonly spent: readonly GrantSpend[]
  /**
   * Why a rejected charge was rejected: `'quota'` when a window had no room (a `'reject'` window, or a
   * `'bill'` window past its overage limit), `'balance'` when only the balance fell short. `undefined`
   * when allowed.
   */
  readonly rejectedBy: 'quota' | 'balance' | undefined
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
  /**
   * What of `credits` came from the balance, and back to which grants: each grant's credits are added
   * back (never above its original credits) unless the grant was voided or has expired by `now`. Also
   * subtracted from the ledger bucket's `fromBalance`. Default: none.
   */
  readonly restore?: readonly GrantSpend[]
  /** Credits of `credits` that were billed overage: subtracted from the bucket's `overage`. Default 0. */
  readonly overage?: number
  /** The current instant (epoch ms): grants that expired by then get nothing back. */
  readonly now: number
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
   * Grants are not usage and are kept (void them with {@link voidGrant}).
   */
  deleteUsage(request: DeleteUsageRequest): Promise<void>

  /**
   * Why it exists: retention, so that tables do not grow forever. Removes ledger buckets that start
   * before `request.before`, counters of windows that ended at or before it, and idempotency/refund
   * keys whose expiry is at or before `request.now`, and grants that expired at or before
   * `request.before` (all epoch ms).
   */
  purge(request: PurgeRequest): Promise<void>

  /**
   * Why it exists: prepaid credits. Stores `request.grant` for its client, unless a grant with the same
   * `request.idempotencyKey` exists for that client: then nothing changes and that grant is returned.
   * Resolves the grant as stored.
   */
  grantCredits(request: GrantRequest): Promise<StoredGrant>

  /**
   * Why it exists: balances and spending. The client's grants that are not voided, have credits left
   * and have not expired at `now` (`expiresAt > now` or none), pending ones (`effectiveAt > now`)
   * included, in spending order (`compareGrants`).
   */
  listGrants(clientId: string, now: number): Promise<readonly StoredGrant[]>

  /**
   * Why it exists: taking back a grant given by mistake. Marks the grant voided: its unspent rest is
   * gone, refunds no longer restore it. Resolves `true` when the grant existed and was not voided.
   */
  voidGrant(clientId: string, grantId: string): Promise<boolean>

  /**
   * Why it exists: export for invoicing. Every client's non-empty ledger buckets whose start lies in
   * `[scan.from, scan.to)`, ordered by `(clientId, start)` — client ids byte-wise over UTF-8
   * (`compareClientIds`; SQL stores use a binary collation, so `'A'` and `'a'` are two clients) — strictly after
   * `scan.after` when given, at most `scan.limit` of them. The caller pages by passing the last row it
   * got as the next `after`; rows written meanwhile behind `after` are not seen again.
   */
  scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]>

  /** Releases connections and timers. The store must not be used afterwards. */
  close(): Promise<void>
}
