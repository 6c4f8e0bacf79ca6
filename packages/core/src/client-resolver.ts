import { type CachedEntry, ClientPlanCache } from './client-plan-cache.js'
import type { ClientResolution, ResolveClient } from './client-resolution.js'
import type { ClientPlan } from './compiled-quota.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { PlanResolutionError } from './errors/plan-resolution-error.js'
import { UnknownClientError } from './errors/unknown-client-error.js'
import type { PlanCatalog } from './plan-catalog.js'
import type { PlanSource } from './plan-source.js'
import type { SharedPlan } from './shared-plan.js'
import type { SharedPlanRegistry } from './shared-plan-registry.js'
import { toPlanSource } from './to-plan-source.js'
import { describeValue } from './validate.js'

/** The cache of resolved clients: `clientCache` in `ApiBilling`'s options. */
export interface ClientCacheOptions {
  /**
   * Most clients whose answers are kept (unknown clients included); one more drops the least recently
   * used. Default 100,000.
   */
  readonly maxClients?: number
  /**
   * How long an answer is used before `resolveClient` is asked again, in ms: the longest a plan change
   * made in your database takes to reach an instance. `Infinity` keeps answers until `invalidateClient`.
   * Default 60,000 (one minute).
   */
  readonly ttlMs?: number
}

/** What a {@link ClientResolver} needs from its engine. */
export interface ClientResolverOptions {
  readonly resolveClient: ResolveClient
  readonly catalog: PlanCatalog
  readonly registry: SharedPlanRegistry
  readonly cache: ClientCacheOptions | undefined
  /** The engine's clock, in epoch ms. */
  readonly now: () => number
  /** Told about every failure that a stale answer covered (and that therefore threw nowhere). */
  readonly onResolveError: ((error: PlanResolutionError) => void) | undefined
}

/** After a failed refresh, the stale answer is used this long (at most `ttlMs`) before asking again. */
const RETRY_AFTER_FAILURE_MS = 1_000

/**
 * Finds out clients' plans through the application's `resolveClient` and remembers the answers in a
 * bounded LRU cache with a time to live:
 * - a fresh answer is read synchronously ({@link fresh}): no promise, no allocation;
 * - the first request of a client waits for the resolver, and concurrent first requests wait for the same
 *   call (at most one call per client in flight);
 * - an expired answer keeps being served while one background call refreshes it (stale-while-revalidate),
 *   except an expired "unknown", which waits for the new answer (a client that just signed up gets in);
 * - when the resolver fails, the last answer, even expired, is used and the next attempt is made a
 *   second later; without one the request fails with `PlanResolutionError`, and nothing is cached.
 */
export class ClientResolver {
  private readonly cache: ClientPlanCache<PlanSource | undefined>
  private readonly inflight = new Map<string, Promise<PlanSource | undefined>>()
  private readonly retryMs: number

  constructor(private readonly options: ClientResolverOptions) {
    const maxClients = options.cache?.maxClients ?? 100_000
    const ttlMs = options.cache?.ttlMs ?? 60_000
    if (!Number.isSafeInteger(maxClients) || maxClients < 1) {
      throw new InvalidArgumentError(
        'options.clientCache.maxClients',
        `expected a whole number of clients, at least 1, got ${describeValue(maxClients)}`,
      )
    }
    if (typeof ttlMs !== 'number' || Number.isNaN(ttlMs) || ttlMs <= 0) {
      throw new InvalidArgumentError(
        'options.clientCache.ttlMs',
        `expected a positive number of milliseconds (or Infinity), got ${describeValue(ttlMs)}`,
      )
    }
    this.cache = new ClientPlanCache({ maxEntries: maxClients, ttlMs, now: options.now })
    this.retryMs = Math.min(ttlMs, RETRY_AFTER_FAILURE_MS)
  }

  /**
   * The plan of a client whose answer is cached and fresh at `now` (epoch ms), synchronously; `undefined`
   * when it must be resolved (then call {@link plan}).
   * @throws UnknownClientError when the fresh answer is "unknown client".
   */
  fresh(clientId: string, now: number): ClientPlan | undefined {
    const entry = this.cache.get(clientId)
    if (entry === undefined || entry.expiresAt <= now) return undefined
    if (entry.value === undefined) throw new UnknownClientError(clientId)
    return entry.value.current().plan
  }

  /**
   * The client's plan: cached, refreshed or resolved as the class describes.
   * @throws UnknownClientError when the resolver knows no such client; PlanResolutionError when it fails
   * (or answers something that is not a plan) and no earlier answer is cached.
   */
  async plan(clientId: string): Promise<SharedPlan> {
    const entry = this.cache.get(clientId)
    if (entry !== undefined) {
      const expired = entry.expiresAt <= this.options.now()
      if (!expired) return known(clientId, entry.value)
      if (entry.value !== undefined) {
        this.refreshInBackground(entry)
        return entry.value.current()
      }
    }
    try {
      return known(clientId, await this.load(clientId))
    } catch (error) {
      // Stale-if-error: an expired "unknown" still answers while the resolver is failing.
      if (!(error instanceof PlanResolutionError) || entry === undefined || !this.staleServed(entry, error)) {
        throw error
      }
      return known(clientId, entry.value)
    }
  }

  /** The cached plan of a client, fresh or stale, without resolving; `undefined` when none is cached. */
  cached(clientId: string): SharedPlan | undefined {
    return this.cache.peek(clientId)?.value?.current()
  }

  /**
   * Forgets the client's cached answer and any call in flight (whose answer is then not cached): its next
   * request asks the resolver. Returns `true` when an answer was cached.
   */
  forget(clientId: string): boolean {
    this.inflight.delete(clientId)
    return this.cache.delete(clientId)
  }

  private refreshInBackground(entry: CachedEntry<PlanSource | undefined>): void {
    this.load(entry.key).catch((error: unknown) => {
      if (error instanceof PlanResolutionError) this.staleServed(entry, error)
    })
  }

  /**
   * Keeps serving `entry`, a stale answer, for `retryMs` after `error`; `false` when it is no longer cached
   * (forgotten or evicted meanwhile).
   */
  private staleServed(entry: CachedEntry<PlanSource | undefined>, error: PlanResolutionError): boolean {
    if (this.cache.peek(entry.key) !== entry) return false
    entry.expiresAt = Math.max(entry.expiresAt, this.options.now() + this.retryMs)
    try {
      this.options.onResolveError?.(error)
    } catch {
      // A failing observer must not turn a served request into a failed one.
    }
    return true
  }

  /** The single flight: one resolver call per client at a time, its answer cached unless forgotten meanwhile. */
  private load(clientId: string): Promise<PlanSource | undefined> {
    const pending = this.inflight.get(clientId)
    if (pending !== undefined) return pending
    const call: Promise<PlanSource | undefined> = this.ask(clientId).then(
      (source) => {
        if (this.inflight.get(clientId) === call) {
          this.inflight.delete(clientId)
          this.cache.set(clientId, source)
        }
        return source
      },
      (error: unknown) => {
        if (this.inflight.get(clientId) === call) this.inflight.delete(clientId)
        throw error
      },
    )
    this.inflight.set(clientId, call)
    return call
  }

  private async ask(clientId: string): Promise<PlanSource | undefined> {
    let answer: ClientResolution
    try {
      answer = await this.options.resolveClient(clientId)
    } catch (error) {
      throw new PlanResolutionError(
        clientId,
        `resolveClient failed for client ${describeValue(clientId)}: ${reason(error)}`,
        { cause: error },
      )
    }
    try {
      return toPlanSource(clientId, answer, this.options.catalog, this.options.registry)
    } catch (error) {
      if (error instanceof PlanResolutionError) throw error
      throw new PlanResolutionError(
        clientId,
        `resolveClient answered a plan that cannot be read (client ${describeValue(clientId)}): ${reason(error)}`,
        { cause: error },
      )
    }
  }
}

function known(clientId: string, source: PlanSource | undefined): SharedPlan {
  if (source === undefined) throw new UnknownClientError(clientId)
  return source.current()
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
