import type { ResolveClient } from './client-resolution.js'
import { type ClientCacheOptions, ClientResolver } from './client-resolver.js'
import { type Clock, systemClock } from './clock.js'
import type { ClientPlan, PlanWindows } from './compiled-quota.js'
import { type CreditAlertOptions, CreditAlerts } from './credit-alerts.js'
import { isSpendable, type StoredGrant } from './credit-grant.js'
import { type CreditGrant, type GrantOptions, toCreditGrant, toStoredGrant } from './credit-grant-input.js'
import { CreditScale, WHOLE_CREDITS } from './credit-scale.js'
import { type DailyUsage, localDays, sumByDay } from './daily-usage.js'
import type { Decision } from './decision.js'
import { DecisionBuilder } from './decision-builder.js'
import { DecisionChargeIds } from './decision-charge-ids.js'
import { InsufficientCreditsError } from './errors/insufficient-credits-error.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import type { PlanResolutionError } from './errors/plan-resolution-error.js'
import { QuotaExceededError } from './errors/quota-exceeded-error.js'
import { toStoreUnavailableError } from './errors/to-store-unavailable-error.js'
import { UnknownClientError } from './errors/unknown-client-error.js'
import { hasRoom } from './has-room.js'
import { PlanCatalog } from './plan-catalog.js'
import { planCreditCharge } from './plan-credit-charge.js'
import type { QuotaDefinition } from './quota-definition.js'
import { refundOfCredits } from './refund-of-credits.js'
import type { SharedPlan } from './shared-plan.js'
import { SharedPlanRegistry } from './shared-plan-registry.js'
import { exportUsage, type UsageExportOptions, type UsageRow } from './usage-export.js'
import type { ChargeRequest, ChargeResult, CreditOutcome, StoreWindow, UsageStore } from './usage-store.js'
import { summarizeUsage, type UsageSummary } from './usage-summary.js'
import { assertClientId, assertNonEmptyString, assertTimeZone, describeValue, toEpochMs } from './validate.js'

const DAY_MS = 86_400_000
/** How a store failure that the store did not map itself is introduced to callers. */
const STORE_FAILED = 'Usage store failed'
/** Prefix of the charge id of a charge made with an idempotency key; the key follows it. */
const KEYED_CHARGE = 'key:'

/** The longest daily report: about ten years of days. */
const MAX_REPORT_DAYS = 3_700

/** Options of {@link ApiBilling}. */
export interface ApiBillingOptions {
  /** Where usage is kept. Every instance that shares it shares one count. */
  readonly store: UsageStore
  /** Where "now" comes from. Default: the system clock. Inject one in tests instead of sleeping. */
  readonly clock?: Clock
  /** How long an idempotency key is remembered, in ms. Default: 24 hours. */
  readonly idempotencyTtlMs?: number
  /** How long usage is kept by {@link ApiBilling.purge}, in ms. Default: 400 days. */
  readonly retentionMs?: number
  /**
   * The plan catalog: quota definitions by plan name, which {@link resolveClient} may answer with a name.
   * More can be added, and these replaced, with {@link ApiBilling.definePlan}. Default: none.
   */
  readonly plans?: Readonly<Record<string, readonly QuotaDefinition[]>>
  /**
   * Looks up the plan of a client that has none set with `updateClientQuotas` (pinned clients win and
   * are never looked up): a plan name, definitions, `{ plan, overrides }`, or `undefined` for an unknown
   * client. Called on a client's first request; answers are cached as {@link clientCache} says. Default:
   * none — only pinned clients are known, as in frappy.
   */
  readonly resolveClient?: ResolveClient
  /**
   * Bounds of the cache of {@link resolveClient}'s answers. Default: `{ maxClients: 100_000, ttlMs: 60_000 }`.
   * Ignored without `resolveClient`.
   */
  readonly clientCache?: ClientCacheOptions
  /**
   * Told about each resolver failure that did not fail a request because the client's previous answer
   * (stale) was used instead; failures without such an answer reject the request with
   * `PlanResolutionError` instead. Default: none (the failure is only retried).
   */
  readonly onResolveError?: (error: PlanResolutionError) => void
  /**
   * Stored units per credit, so that costs, limits and grants may carry decimals: `1000` makes
   * milli-credits (`0.5` is stored as 500, exactly). A cost finer than that is an `InvalidArgumentError`.
   * Every instance sharing a store must use the same scale. Default 1: whole credits.
   */
  readonly creditScale?: number
  /** Threshold and low-balance alerts ({@link CreditAlertOptions}). Default: none. */
  readonly alerts?: CreditAlertOptions
}

/** A client's prepaid balance, from `ApiBilling.getBalance`. */
export interface Balance {
  /** Credits that may be spent now: the sum of the effective, unexpired grants' remaining credits. */
  readonly available: number
  /**
   * The grants not voided, used up or expired, in spending order (earliest expiry first, then oldest);
   * pending ones (`effectiveAt` later) included, though not counted in `available`.
   */
  readonly grants: readonly CreditGrant[]
}

/** Options of {@link ApiBilling.tryTrackClientUsage} and {@link ApiBilling.trackClientUsage}. */
export interface TrackOptions {
  /**
   * Makes a retried request charge once: the same key for the same client returns the first allowed
   * answer (with `replayed: true`) for {@link ApiBillingOptions.idempotencyTtlMs}. Default: none.
   */
  readonly idempotencyKey?: string
}

/** Options of {@link ApiBilling.refund}. */
export interface RefundOptions {
  /** Credits to give back, at most what the decision charged. Default: all of them. */
  readonly credits?: number
}

/** Options of {@link ApiBilling.getDailyUsage}. */
export interface DailyUsageOptions {
  /** IANA time zone whose calendar days are reported. Default `'UTC'`. */
  readonly timeZone?: string
}

/**
 * The billing engine (frappy's `ApiBilling`): knows every client's plan, charges requests against all
 * of its windows at once through the store, and reports usage.
 *
 * Plans live in this object, not in the store. A client's plan is either pinned with
 * `updateClientQuotas` (frappy's way: every instance must be told) or looked up on demand with the
 * `resolveClient` option, from your own customer table, and cached for `clientCache.ttlMs`, so a change
 * in that table reaches every instance within the TTL. Usage lives in the store and is shared.
 *
 * @example
 * const billing = new ApiBilling({ store: new MemoryUsageStore() })
 * await billing.updateClientQuotas('key-1', [{ duration: QuotaDuration.DAY, creditLimit: 500 }])
 * const decision = await billing.tryTrackClientUsage('key-1', 5)
 *
 * @example
 * const billing = new ApiBilling({
 *   store,
 *   plans: { free: [{ duration: 'day', creditLimit: 100 }], pro: [{ duration: 'day', creditLimit: 10_000 }] },
 *   resolveClient: async (apiKey) => (await db.customerByKey(apiKey))?.plan, // 'pro', or undefined
 * })
 */
export class ApiBilling {
  /** The store given at construction. */
  readonly store: UsageStore
  private readonly clock: Clock
  private readonly idempotencyTtlMs: number
  private readonly retentionMs: number
  /** Plans set with `updateClientQuotas`: never evicted, never resolved. */
  private readonly pinned = new Map<string, SharedPlan>()
  /** Compiled plans by content, so that the many clients of one tier share one plan and its window cache. */
  private readonly registry: SharedPlanRegistry
  private readonly catalog: PlanCatalog
  private readonly resolver: ClientResolver | undefined
  /** The clock in epoch ms; the system clock is read as a number, one Date fewer per request. */
  private readonly nowMs: () => number
  /** Charge ids: this instance's random prefix plus a counter, unique without a UUID per charge. */
  private readonly chargeIds = new DecisionChargeIds()
  /** Units per credit (`creditScale`). */
  private readonly scale: CreditScale
  /** Builds every decision this instance answers (and shares their instants' Dates). */
  private readonly decisions: DecisionBuilder
  private readonly alerts: CreditAlerts | undefined

  constructor(options: ApiBillingOptions) {
    if (typeof options?.store?.charge !== 'function') {
      throw new InvalidArgumentError('options.store', 'expected a UsageStore, e.g. new MemoryUsageStore()')
    }
    this.store = options.store
    this.clock = options.clock ?? systemClock
    this.idempotencyTtlMs = positiveMs(options.idempotencyTtlMs, DAY_MS, 'options.idempotencyTtlMs')
    this.retentionMs = positiveMs(options.retentionMs, 400 * DAY_MS, 'options.retentionMs')
    const clock = this.clock
    this.nowMs = clock === systemClock ? Date.now : () => clock().getTime()
    this.scale = options.creditScale === undefined ? WHOLE_CREDITS : new CreditScale(options.creditScale)
    this.registry = new SharedPlanRegistry(undefined, this.scale)
    this.catalog = new PlanCatalog(this.registry)
    this.decisions = new DecisionBuilder(this.scale)
    this.alerts = options.alerts === undefined ? undefined : new CreditAlerts(options.alerts, this.scale)
    definePlans(this.catalog, options.plans)
    this.resolver = createResolver(options, this.catalog, this.registry, this.nowMs)
  }

  /**
   * Sets (or replaces) a client's plan; the next request is measured against it. Usage already
   * counted in a window of the same duration and start is kept. frappy's `update_client_quotas`.
   * @throws InvalidArgumentError for an empty client id, an empty plan, a duplicate duration, a
   * negative or fractional limit, an invalid date or time zone.
   */
  async updateClientQuotas(clientId: string, definitions: readonly QuotaDefinition[]): Promise<void> {
    assertClientId(clientId)
    this.pinned.set(clientId, this.registry.share(definitions))
    this.resolver?.forget(clientId)
  }

  /**
   * Forgets the plan set with `updateClientQuotas`; the client's requests then fail with
   * `UnknownClientError` — or, with `resolveClient`, are resolved like any client's. Usage is kept.
   * @returns `true` when the client had a plan set.
   */
  async removeClient(clientId: string): Promise<boolean> {
    assertClientId(clientId)
    return this.pinned.delete(clientId)
  }

  /**
   * The plan set for a client with `updateClientQuotas`, else its cached resolved plan (even an expired
   * one), else `undefined`. Never calls `resolveClient`: use {@link resolveClientQuotas} for that.
   */
  getClientQuotas(clientId: string): readonly QuotaDefinition[] | undefined {
    return (this.pinned.get(clientId) ?? this.resolver?.cached(clientId))?.definitions
  }

  /**
   * The client's plan as its requests see it: the one set with `updateClientQuotas`, else what
   * `resolveClient` answers (through the cache, as a request would).
   * @throws UnknownClientError for a client without a plan; PlanResolutionError when the resolver fails
   * and nothing is cached.
   */
  async resolveClientQuotas(clientId: string): Promise<readonly QuotaDefinition[]> {
    assertClientId(clientId)
    return (this.pinned.get(clientId) ?? (await this.resolvePlan(clientId))).definitions
  }

  /**
   * Adds a named plan to the catalog, or replaces it: every client resolved to it (overrides included)
   * is charged against the new plan from its next request on, on every instance where it is defined so.
   * Usage already counted in a window of the same duration and start is kept.
   * @throws InvalidArgumentError for an empty name or an invalid plan (the catalog is then unchanged).
   */
  definePlan(name: string, definitions: readonly QuotaDefinition[]): void {
    this.catalog.define(name, definitions)
  }

  /** The definitions of the catalog plan `name`, or `undefined` when there is no such plan. */
  getPlan(name: string): readonly QuotaDefinition[] | undefined {
    return this.catalog.get(name)?.shared.definitions
  }

  /**
   * Forgets the cached `resolveClient` answer for a client (call it after changing the client in your
   * database): its next request asks the resolver again. Only this instance's cache; the others follow
   * within `clientCache.ttlMs`. Plans set with `updateClientQuotas` are not affected.
   * @returns `true` when an answer was cached.
   */
  invalidateClient(clientId: string): boolean {
    assertClientId(clientId)
    return this.resolver?.forget(clientId) ?? false
  }

  /**
   * Charges `credits` to every window of the client's plan if all of them have room, and answers with
   * the decision either way; never throws for an exhausted quota.
   * @param credits whole credits to charge. Default 1; 0 reads the state without spending.
   * The plan is the pinned one, else `resolveClient`'s (cached: only a client's first request, or one
   * after {@link invalidateClient}, waits for the resolver).
   * @throws InvalidArgumentError for a bad client id, cost or key; UnknownClientError for a client with
   * no plan; PlanResolutionError when the resolver fails and nothing is cached; StoreUnavailableError
   * when the store fails.
   */
  tryTrackClientUsage(clientId: string, credits = 1, options?: TrackOptions): Promise<Decision> {
    try {
      assertClientId(clientId)
      // Whole credits at the default scale: checked here, without a call (the hot path).
      const cost =
        this.scale.factor === 1 && Number.isSafeInteger(credits) && credits >= 0
          ? credits
          : this.scale.toUnits(credits, 'credits')
      const key = options?.idempotencyKey
      if (key !== undefined) assertNonEmptyString(key, 'idempotencyKey')
      const atMs = this.nowMs()
      // Pinned or cached and fresh, on a synchronous store: decided here, one settled promise and no
      // async function per request. Otherwise the plan is resolved or the store awaited.
      const plan = this.knownPlan(clientId, atMs)
      if (plan === undefined || this.store.chargeSync === undefined) {
        return this.trackAsync(clientId, credits, cost, key, plan, atMs)
      }
      const snapshot = plan.snapshotAt(atMs)
      const result = this.chargeNow(
        this.store.chargeSync,
        this.chargeRequest(clientId, snapshot, cost, key, atMs),
      )
      return Promise.resolve(this.decide(clientId, credits, key, atMs, snapshot, result))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** {@link tryTrackClientUsage} when the plan must be resolved first or the store answers later. */
  private async trackAsync(
    clientId: string,
    credits: number,
    cost: number,
    key: string | undefined,
    known: ClientPlan | undefined,
    now: number,
  ): Promise<Decision> {
    let plan = known
    let atMs = now
    if (plan === undefined) {
      plan = (await this.resolvePlan(clientId)).plan
      atMs = this.nowMs()
    }
    const snapshot = plan.snapshotAt(atMs)
    const request = this.chargeRequest(clientId, snapshot, cost, key, atMs)
    const { chargeSync } = this.store
    const result =
      chargeSync === undefined
        ? await this.callStore(() => this.store.charge(request))
        : this.chargeNow(chargeSync, request)
    return this.decide(clientId, credits, key, atMs, snapshot, result)
  }

  /** Runs a synchronous store's charge, its failures mapped as {@link callStore} maps them. */
  private chargeNow(chargeSync: NonNullable<UsageStore['chargeSync']>, request: ChargeRequest): ChargeResult {
    try {
      return chargeSync.call(this.store, request)
    } catch (error) {
      throw toStoreUnavailableError(error, STORE_FAILED)
    }
  }

  /** The store request of a charge of `cost` units at `atMs`, with the idempotency claim of `key`. */
  private chargeRequest(
    clientId: string,
    snapshot: PlanWindows,
    cost: number,
    key: string | undefined,
    atMs: number,
  ): ChargeRequest {
    const { windows } = snapshot
    return key === undefined
      ? { clientId, windows, cost, at: atMs }
      : { clientId, windows, cost, at: atMs, idempotency: { key, expiresAt: atMs + this.idempotencyTtlMs } }
  }

  /** The decision of the store's answer `result`; fires the credit alerts of a new charge. */
  private decide(
    clientId: string,
    credits: number,
    key: string | undefined,
    atMs: number,
    snapshot: PlanWindows,
    result: ChargeResult,
  ): Decision {
    const chargeId =
      result.allowed && credits > 0
        ? key === undefined
          ? this.chargeIds.next()
          : KEYED_CHARGE + key
        : undefined
    const decision = this.decisions.build(
      clientId,
      credits,
      atMs,
      snapshot,
      result.used,
      result.allowed,
      result.replayed,
      chargeId,
      result.credit,
    )
    if (this.alerts !== undefined && chargeId !== undefined && !result.replayed)
      this.alerts.afterCharge(decision)
    return decision
  }

  /**
   * Like {@link tryTrackClientUsage}, but throws when the quota is exhausted. frappy's
   * `track_client_usage`.
   * @throws QuotaExceededError (nothing charged) with the remaining credits, renew time and window;
   * its subclass InsufficientCreditsError (HTTP 402) when only the prepaid balance fell short.
   */
  async trackClientUsage(clientId: string, credits = 1, options: TrackOptions = {}): Promise<Decision> {
    const decision = await this.tryTrackClientUsage(clientId, credits, options)
    if (!decision.allowed) {
      throw decision.rejectedBy === 'balance'
        ? new InsufficientCreditsError(decision)
        : new QuotaExceededError(decision)
    }
    return decision
  }

  /**
   * The client's windows right now, charging nothing. `allowed` tells whether one more credit fits. The
   * plan is found as for {@link tryTrackClientUsage}, with the same errors.
   */
  async getQuotaStatus(clientId: string): Promise<Decision> {
    assertClientId(clientId)
    const plan = (this.pinned.get(clientId) ?? (await this.resolvePlan(clientId))).plan
    const atMs = this.nowMs()
    const snapshot = plan.snapshotAt(atMs)
    const { windows } = snapshot
    const used = await this.callStore(() => this.store.status(clientId, windows))
    if (plan.overflow === undefined) {
      return this.decisions.build(
        clientId,
        0,
        atMs,
        snapshot,
        used,
        hasRoomInEvery(windows, used),
        false,
        undefined,
        undefined,
      )
    }
    const credit = await this.creditStatus(clientId, plan, snapshot, used, atMs)
    return this.decisions.build(
      clientId,
      0,
      atMs,
      snapshot,
      used,
      credit.rejectedBy === undefined,
      false,
      undefined,
      credit,
    )
  }

  /** What one more unit would do to a plan with overflow windows, read without charging. */
  private async creditStatus(
    clientId: string,
    plan: ClientPlan,
    snapshot: PlanWindows,
    used: readonly number[],
    atMs: number,
  ): Promise<CreditOutcome> {
    const grants: readonly StoredGrant[] =
      plan.overflow === 'balance' ? await this.callStore(() => this.store.listGrants(clientId, atMs)) : []
    const spendable = grants.filter((g) => isSpendable(g, atMs))
    const next = planCreditCharge(snapshot.windows, used, 1, spendable)
    const balance =
      plan.overflow === 'balance' ? spendable.reduce((sum, g) => sum + g.remaining, 0) : undefined
    return { fromBalance: 0, overage: 0, balance, spent: [], rejectedBy: next.rejectedBy }
  }

  /**
   * Gives back what `decision` charged (or `options.credits` of it), to the same windows and ledger
   * bucket, never below zero, and only once per decision, across every instance sharing the store.
   * @returns `true` when credits were given back, `false` when the decision charged nothing or was
   * already refunded.
   */
  async refund(decision: Decision, options: RefundOptions = {}): Promise<boolean> {
    if (typeof decision !== 'object' || decision === null || !Array.isArray(decision.windows)) {
      throw new InvalidArgumentError('decision', 'expected a Decision returned by tryTrackClientUsage')
    }
    if (!decision.allowed || decision.chargeId === undefined) return false
    const credits = options.credits ?? decision.cost
    const units = this.scale.toUnits(credits, 'options.credits')
    if (credits > decision.cost) {
      throw new InvalidArgumentError(
        'options.credits',
        `cannot refund ${credits}; the decision charged ${decision.cost}`,
      )
    }
    if (credits === 0) return false
    const atMs = toEpochMs(decision.at, 'decision.at')
    const windows = decision.windows.map((w) => ({
      duration: w.duration,
      start: toEpochMs(w.start, 'decision.windows.start'),
      end: toEpochMs(w.resetAt, 'decision.windows.resetAt'),
      limit: w.limit === Number.POSITIVE_INFINITY ? w.limit : Math.round(w.limit * this.scale.factor),
    }))
    const end = Math.max(atMs, ...windows.map((w) => w.end))
    const { chargeId } = decision
    const now = this.nowMs()
    return this.callStore(() =>
      this.store.refund({
        clientId: decision.clientId,
        windows,
        credits: units,
        ...refundOfCredits(decision, credits, this.scale),
        at: atMs,
        refundKey: `refund:${chargeId}`,
        refundKeyExpiresAt: Math.max(end, now) + this.idempotencyTtlMs,
        now,
        ...(chargeId.startsWith(KEYED_CHARGE) ? { idempotencyKey: chargeId.slice(KEYED_CHARGE.length) } : {}),
      }),
    )
  }

  /**
   * Credits charged to a client in `[from, to)` (net of refunds), at the ledger's 15-minute resolution.
   * Default range: all time. frappy's `get_total_usage`. Needs no plan: answers for any client id (0 for
   * one never charged) and never calls `resolveClient`.
   */
  async getTotalUsage(clientId: string, from?: Date, to?: Date): Promise<number> {
    assertClientId(clientId)
    const range = toRange(from, to)
    const buckets = await this.callStore(() => this.store.readUsage({ clientId, ...range }))
    return this.scale.toCredits(buckets.reduce((sum, b) => sum + b.credits, 0))
  }

  /**
   * What a client spent in `[from, to)` (default: all time), split by where it came from: `credits` in
   * all, `fromBalance` paid from prepaid grants, `overage` billed past `'bill'` windows' limits (the rest
   * was within the plan's allowance). Net of refunds, at the ledger's 15-minute resolution.
   */
  async getUsageSummary(clientId: string, from?: Date, to?: Date): Promise<UsageSummary> {
    assertClientId(clientId)
    const range = toRange(from, to)
    const buckets = await this.callStore(() => this.store.readUsage({ clientId, ...range }))
    return summarizeUsage(buckets, this.scale)
  }

  /**
   * Every client's usage in `[from, to)` per local hour or day of `timeZone`, for invoicing: an async
   * iterable of `{ clientId, start, end, credits, fromBalance, overage }` rows (exact, from the ledger),
   * ordered by client then start, read from the store a page at a time so memory stays flat. Feed it to
   * `usageCsv` or `stripeMeterEvents`. Export closed periods: an open one gives its usage so far.
   * @throws InvalidArgumentError at once for bad dates, granularity, time zone or page size; iterating
   * rejects with StoreUnavailableError when the store fails.
   */
  exportUsage(options: UsageExportOptions): AsyncIterable<UsageRow> {
    return exportUsage(this.store, this.scale, options)
  }

  /**
   * Grants a client prepaid credits, spent by its windows with `overflow: 'balance'` (earliest expiry
   * first, then oldest). Needs no plan. With `options.idempotencyKey`, the same key for the same client
   * grants once and returns the first grant.
   * @param credits positive, with at most `creditScale`'s precision.
   * @throws InvalidArgumentError for bad credits, dates, key or note; StoreUnavailableError.
   */
  async grantCredits(clientId: string, credits: number, options: GrantOptions = {}): Promise<CreditGrant> {
    assertClientId(clientId)
    const grant = toStoredGrant(credits, options, this.nowMs(), this.scale)
    const { idempotencyKey } = options
    const stored = await this.callStore(() =>
      this.store.grantCredits(
        idempotencyKey === undefined ? { clientId, grant } : { clientId, grant, idempotencyKey },
      ),
    )
    return toCreditGrant(stored, this.scale)
  }

  /** The client's prepaid balance now: what may be spent, and its live grants in spending order. */
  async getBalance(clientId: string): Promise<Balance> {
    assertClientId(clientId)
    const now = this.nowMs()
    const grants = await this.callStore(() => this.store.listGrants(clientId, now))
    let available = 0
    for (const g of grants) if (isSpendable(g, now)) available += g.remaining
    return {
      available: this.scale.toCredits(available),
      grants: grants.map((g) => toCreditGrant(g, this.scale)),
    }
  }

  /**
   * Voids a grant: its unspent credits are gone at once and refunds no longer restore it.
   * @returns `true` when the client had that grant and it was not voided already.
   */
  async voidGrant(clientId: string, grantId: string): Promise<boolean> {
    assertClientId(clientId)
    assertNonEmptyString(grantId, 'grantId')
    return this.callStore(() => this.store.voidGrant(clientId, grantId))
  }

  /**
   * Credits per local calendar day for every day of `timeZone` that overlaps `[from, to)`, zero days
   * included, oldest first. frappy's `get_daily_usage`. Needs no plan: answers for any client id and never
   * calls `resolveClient` (check the client first with {@link resolveClientQuotas} where that matters).
   * @throws InvalidArgumentError for invalid dates, `to` before `from`, a range over ~10 years or an
   * unknown time zone.
   */
  async getDailyUsage(
    clientId: string,
    from: Date,
    to: Date,
    options: DailyUsageOptions = {},
  ): Promise<DailyUsage[]> {
    assertClientId(clientId)
    const timeZone = options.timeZone ?? 'UTC'
    assertTimeZone(timeZone, 'options.timeZone')
    const range = toRange(from, to)
    if (range.to - range.from > MAX_REPORT_DAYS * DAY_MS) {
      throw new InvalidArgumentError('to', `a daily report covers at most ${MAX_REPORT_DAYS} days`)
    }
    const days = localDays(range.from, range.to, timeZone)
    const first = days[0]
    const last = days[days.length - 1]
    if (first === undefined || last === undefined) return []
    const buckets = await this.callStore(() =>
      this.store.readUsage({ clientId, from: first.start, to: last.end }),
    )
    return sumByDay(days, buckets, this.scale)
  }

  /**
   * Deletes a client's usage: everything (counters, ledger, idempotency keys) without a range, or the
   * ledger buckets and window counters that start in `[from, to)`. frappy's `delete_client_usage`.
   * Needs no plan and never calls `resolveClient`; the client's plan, pinned or cached, is kept.
   */
  async deleteClientUsage(clientId: string, from?: Date, to?: Date): Promise<void> {
    assertClientId(clientId)
    const request = from === undefined && to === undefined ? { clientId } : { clientId, ...toRange(from, to) }
    await this.callStore(() => this.store.deleteUsage(request))
  }

  /** Stored units per credit: the `creditScale` option (default 1, whole credits). */
  get creditScale(): number {
    return this.scale.factor
  }

  /** "Now" as the engine sees it: its clock's current instant. Bindings use it for default ranges. */
  now(): Date {
    return this.clock()
  }

  /** Applies retention: removes usage older than `retentionMs` and expired idempotency keys. */
  async purge(): Promise<void> {
    const now = this.nowMs()
    await this.callStore(() => this.store.purge({ before: now - this.retentionMs, now }))
  }

  /**
   * The plan found without waiting: pinned, or cached and fresh at `atMs`; `undefined` when it must be
   * resolved. Skips the pinned map when nobody is pinned (an engine that only resolves).
   * @throws UnknownClientError when the fresh cached answer is "unknown client".
   */
  private knownPlan(clientId: string, atMs: number): ClientPlan | undefined {
    if (this.pinned.size !== 0) {
      const pinned = this.pinned.get(clientId)
      if (pinned !== undefined) return pinned.plan
    }
    return this.resolver?.fresh(clientId, atMs)
  }

  /** A client that is not pinned: resolved (through the cache), or unknown without a resolver. */
  private async resolvePlan(clientId: string): Promise<SharedPlan> {
    if (this.resolver === undefined) throw new UnknownClientError(clientId)
    return this.resolver.plan(clientId)
  }

  private async callStore<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw toStoreUnavailableError(error, STORE_FAILED)
    }
  }
}

/** Fills the catalog from the `plans` option. */
function definePlans(catalog: PlanCatalog, plans: ApiBillingOptions['plans']): void {
  if (plans === undefined) return
  if (typeof plans !== 'object' || plans === null || Array.isArray(plans)) {
    throw new InvalidArgumentError(
      'options.plans',
      `expected an object of quota definitions by plan name, got ${describeValue(plans)}`,
    )
  }
  for (const [name, definitions] of Object.entries(plans)) {
    catalog.define(name, definitions, `options.plans.${name}`)
  }
}

/** The resolver of the `resolveClient` option, or `undefined` without one. */
function createResolver(
  options: ApiBillingOptions,
  catalog: PlanCatalog,
  registry: SharedPlanRegistry,
  now: () => number,
): ClientResolver | undefined {
  const { resolveClient, onResolveError } = options
  if (resolveClient === undefined) return undefined
  if (typeof resolveClient !== 'function') {
    throw new InvalidArgumentError(
      'options.resolveClient',
      `expected a function (clientId) => plan, got ${describeValue(resolveClient)}`,
    )
  }
  if (onResolveError !== undefined && typeof onResolveError !== 'function') {
    throw new InvalidArgumentError(
      'options.onResolveError',
      `expected a function (error) => void, got ${describeValue(onResolveError)}`,
    )
  }
  return new ClientResolver({
    resolveClient,
    catalog,
    registry,
    cache: options.clientCache,
    now,
    onResolveError,
  })
}

/** Whether one more credit fits in every window, given each window's `used` (a status read's `allowed`). */
function hasRoomInEvery(windows: readonly StoreWindow[], used: readonly number[]): boolean {
  for (let i = 0; i < windows.length; i++) {
    if (!hasRoom(used[i] ?? 0, 1, (windows[i] as StoreWindow).limit)) return false
  }
  return true
}

function toRange(from: Date | undefined, to: Date | undefined): { from: number; to: number } {
  const fromMs = from === undefined ? Number.MIN_SAFE_INTEGER : toEpochMs(from, 'from')
  const toMs = to === undefined ? Number.MAX_SAFE_INTEGER : toEpochMs(to, 'to')
  if (toMs < fromMs) throw new InvalidArgumentError('to', `must not be before from (${describeValue(from)})`)
  return { from: fromMs, to: toMs }
}

function positiveMs(value: number | undefined, fallback: number, argument: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(
      argument,
      `expected a positive number of milliseconds, got ${describeValue(value)}`,
    )
  }
  return value
}
