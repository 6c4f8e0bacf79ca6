import { MemoryUsageStore } from '@x/api-billing-core'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import { LIMIT, ourContestant, peerContestant, scenarioName, type WindowCount } from '../workload.js'

/** The engine on the memory store against `RateLimiterMemory`, one at a time (no concurrency needed). */
export function memoryScenarios(config: BenchConfig): Scenario[] {
  return ([1, 3] as WindowCount[]).map((windows) => ({
    suite: 'memory',
    name: scenarioName(windows),
    contestants: [
      ourContestant('ApiBilling + MemoryUsageStore', windows, async () => new MemoryUsageStore()),
      peerContestant(
        windows === 1 ? 'RateLimiterMemory' : 'RateLimiterUnion(RateLimiterMemory ×3)',
        windows,
        async (duration, keyPrefix) => new RateLimiterMemory({ points: LIMIT, duration, keyPrefix }),
      ),
    ],
    measure: { durationMs: config.runMs, concurrency: 1, sampleEvery: 16 },
    warmupMs: config.runMs,
  }))
}
