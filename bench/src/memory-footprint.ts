/**
 * Heap bytes per client, measured in a fresh process: `node --expose-gc dist/memory-footprint.js
 * <ours|resolved|peer> <windows> <clients>` creates that many clients (ours: a pinned plan in the engine
 * and one charge in the memory store; resolved: the plan comes from `resolveClient` and a catalog, cached,
 * and one charge; the peer: one `consume` per key on `RateLimiterMemory`) and prints `{"bytesPerClient":…}`.
 */
import { ApiBilling, MemoryUsageStore } from '@x/api-billing-core'
import { RateLimiterMemory, RateLimiterUnion } from 'rate-limiter-flexible'
import { benchPlan, LIMIT, type WindowCount } from './workload.js'

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) globalThis.gc?.()
  return process.memoryUsage().heapUsed
}

const [side, windowArg, countArg] = process.argv.slice(2)
const windows = (windowArg === '3' ? 3 : 1) as WindowCount
const clients = Number(countArg)
if (
  typeof globalThis.gc !== 'function' ||
  !(clients > 0) ||
  (side !== 'ours' && side !== 'resolved' && side !== 'peer')
) {
  process.stderr.write('usage: node --expose-gc memory-footprint.js <ours|resolved|peer> <1|3> <clients>\n')
  process.exit(2)
}
const keys = Array.from({ length: clients }, (_, i) => `client-${i}`)
const before = heapAfterGc()
let keep: unknown
if (side === 'ours') {
  const billing = new ApiBilling({ store: new MemoryUsageStore() })
  const plan = benchPlan(windows)
  for (const key of keys) {
    await billing.updateClientQuotas(key, plan)
    await billing.tryTrackClientUsage(key, 1)
  }
  keep = billing
} else if (side === 'resolved') {
  const billing = new ApiBilling({
    store: new MemoryUsageStore(),
    plans: { bench: benchPlan(windows) },
    resolveClient: async () => 'bench',
    clientCache: { maxClients: clients, ttlMs: 3_600_000 },
  })
  for (const key of keys) await billing.tryTrackClientUsage(key, 1)
  keep = billing
} else {
  const limiters = [60, 3_600, 86_400]
    .slice(0, windows)
    .map((duration, i) => new RateLimiterMemory({ points: LIMIT, duration, keyPrefix: `w${i}` }))
  const union = new RateLimiterUnion(...limiters)
  for (const key of keys) await union.consume(key, 1)
  keep = limiters
}
const after = heapAfterGc()
process.stdout.write(
  `${JSON.stringify({ bytesPerClient: (after - before) / clients, kept: keep !== undefined })}\n`,
)
process.exit(0)
