import { MemoryUsageStore } from '@x/api-billing-core'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import { LIMIT, ourContestant, peerContestant, scenarioName, type WindowCount } from '../workload.js'

/** Requests in flight in the closed-loop scenarios: what an API under load has waiting on the engine. */
const IN_FLIGHT = 32

/**
 * The engine on the memory store against `RateLimiterMemory`: one call at a time (with pinned plans, and
 * with plans from `resolveClient`), and a closed loop with {@link IN_FLIGHT} calls in flight (each worker
 * awaits its own before starting the next).
 */
export function memoryScenarios(config: BenchConfig): Scenario[] {
  const scenarios: Scenario[] = []
  for (const concurrency of [1, IN_FLIGHT]) {
    for (const windows of [1, 3] as WindowCount[]) {
      scenarios.push({
        suite: 'memory',
        name:
          concurrency === 1 ? scenarioName(windows) : `${scenarioName(windows)}, ${concurrency} in flight`,
        contestants: [
          ourContestant('ApiBilling + MemoryUsageStore', windows, async () => new MemoryUsageStore()),
          ...(concurrency === 1
            ? [
                ourContestant(
                  'ApiBilling + MemoryUsageStore, plans from resolveClient',
                  windows,
                  async () => new MemoryUsageStore(),
                  undefined,
                  { plans: 'resolved' },
                ),
              ]
            : []),
          peerContestant(
            windows === 1 ? 'RateLimiterMemory' : 'RateLimiterUnion(RateLimiterMemory ×3)',
            windows,
            async (duration, keyPrefix) => new RateLimiterMemory({ points: LIMIT, duration, keyPrefix }),
          ),
        ],
        measure: { durationMs: config.runMs, concurrency, sampleEvery: 16 },
        warmupMs: config.runMs,
      })
    }
  }
  return scenarios
}
