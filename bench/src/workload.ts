import { ApiBilling, type QuotaDefinition, type UsageStore } from '@x/api-billing-core'
import { type RateLimiterAbstract, RateLimiterUnion } from 'rate-limiter-flexible'
import type { Contestant, Runner } from './contest.js'

/** Distinct clients the store workloads cycle through, in the same order for every contestant. */
export const CLIENTS = 1_000
/** Each window's limit: high enough that every measured request is allowed (the common path). */
export const LIMIT = 1_000_000_000
/** The client keys, `client-0` … `client-999`. */
export const CLIENT_KEYS: readonly string[] = Array.from({ length: CLIENTS }, (_, i) => `client-${i}`)

/** How many windows each client has: a minute, or a minute, an hour and a day. */
export type WindowCount = 1 | 3

const WINDOWS: readonly { duration: QuotaDefinition['duration']; seconds: number }[] = [
  { duration: 'minute', seconds: 60 },
  { duration: 'hour', seconds: 3_600 },
  { duration: 'day', seconds: 86_400 },
]

/** The plan every client gets on our side. */
export function benchPlan(windows: WindowCount): QuotaDefinition[] {
  return WINDOWS.slice(0, windows).map((w) => ({ duration: w.duration, creditLimit: LIMIT }))
}

/** `1 window` / `3 windows`. */
export function scenarioName(windows: WindowCount): string {
  return windows === 1 ? '1 window' : '3 windows'
}

/** Where our contestant's plans come from: pinned with `updateClientQuotas`, or `resolveClient`. */
export type PlanSource = 'pinned' | 'resolved'

/**
 * What each measured call does: charge 1 credit (`tryTrackClientUsage`, the peer's `consume`), or read
 * a client's state without changing it (`getQuotaStatus`, the peer's `get`; one window only).
 */
export type BenchOperation = 'charge' | 'status'

/** How {@link ourContestant} sets up and what it measures. */
export interface OurContestantOptions {
  /** Where the plans come from. Default `'pinned'`. */
  readonly plans?: PlanSource
  /** What each call does. Default `'charge'`. */
  readonly operation?: BenchOperation
}

/** An engine on `store` whose every client has {@link benchPlan}, pinned or resolved (and cached). */
async function benchBilling(store: UsageStore, windows: WindowCount, plans: PlanSource): Promise<ApiBilling> {
  if (plans === 'pinned') {
    const billing = new ApiBilling({ store })
    for (const key of CLIENT_KEYS) await billing.updateClientQuotas(key, benchPlan(windows))
    return billing
  }
  const billing = new ApiBilling({
    store,
    plans: { bench: benchPlan(windows) },
    resolveClient: async () => 'bench',
    clientCache: { ttlMs: 3_600_000 }, // the default 100 000 clients: room for all 1 000
  })
  // Each client's first charge resolves its plan; the measured ones find it cached.
  for (const key of CLIENT_KEYS) await billing.tryTrackClientUsage(key, 1)
  return billing
}

/**
 * Our engine on the store `open` makes, every client on {@link benchPlan}, charging 1 credit. With
 * `plans: 'resolved'` the plans come from `resolveClient` (a catalog plan, cached after the first request):
 * the charge rate of a resolved client, to set beside a pinned one's.
 */
export function ourContestant(
  name: string,
  windows: WindowCount,
  open: () => Promise<UsageStore>,
  cleanup: () => Promise<void> = async () => undefined,
  options: OurContestantOptions = {},
): Contestant {
  const { plans = 'pinned', operation = 'charge' } = options
  return {
    name,
    ours: true,
    async setup(): Promise<Runner> {
      const store = await open()
      const billing = await benchBilling(store, windows, plans)
      // Status reads: every client has counters to read first, as the peer's keys have rows.
      if (operation === 'status') for (const key of CLIENT_KEYS) await billing.tryTrackClientUsage(key, 1)
      const op: Runner['op'] =
        operation === 'status'
          ? (i) => billing.getQuotaStatus(CLIENT_KEYS[i % CLIENTS] as string)
          : (i) => billing.tryTrackClientUsage(CLIENT_KEYS[i % CLIENTS] as string, 1)
      return {
        op,
        close: async () => {
          await store.close()
          await cleanup()
        },
      }
    },
  }
}

/**
 * A rate-limiter-flexible limiter per window (`make(durationSeconds, keyPrefix)`), consumed one point
 * per call; three windows go through its `RateLimiterUnion`, its own way of combining limits.
 */
export function peerContestant(
  name: string,
  windows: WindowCount,
  make: (durationSeconds: number, keyPrefix: string) => Promise<RateLimiterAbstract>,
  cleanup: () => Promise<void> = async () => undefined,
  operation: BenchOperation = 'charge',
): Contestant {
  return {
    name,
    ours: false,
    async setup(): Promise<Runner> {
      const limiters: RateLimiterAbstract[] = []
      for (const w of WINDOWS.slice(0, windows)) limiters.push(await make(w.seconds, `rl_${w.duration}`))
      const single = limiters[0] as RateLimiterAbstract
      if (operation === 'status') {
        if (windows !== 1) throw new Error('status reads are measured with one window')
        for (const key of CLIENT_KEYS) await single.consume(key, 1)
        return { op: (i) => single.get(CLIENT_KEYS[i % CLIENTS] as string), close: cleanup }
      }
      const union = new RateLimiterUnion(...limiters)
      const op =
        windows === 1
          ? (i: number) => single.consume(CLIENT_KEYS[i % CLIENTS] as string, 1)
          : (i: number) => union.consume(CLIENT_KEYS[i % CLIENTS] as string, 1)
      return { op, close: cleanup }
    },
  }
}

/** Waits for a rate-limiter-flexible store limiter's ready callback (it creates its table). */
export function readyLimiter<T>(create: (ready: (error?: unknown) => void) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    let limiter: T | undefined
    let settled: { error?: unknown } | undefined
    const ready = (error?: unknown) => {
      settled = { error }
      if (limiter !== undefined) finish()
    }
    const finish = () => (settled?.error ? reject(settled.error) : resolve(limiter as T))
    limiter = create(ready)
    if (settled !== undefined) finish()
  })
}
