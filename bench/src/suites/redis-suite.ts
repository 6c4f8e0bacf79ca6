import { createRedisUsageStore } from '@x/api-billing-store-redis'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import { createClient, type RedisClientType } from 'redis'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import { redisUrl, uniqueName } from '../server-urls.js'
import { LIMIT, ourContestant, peerContestant, scenarioName, type WindowCount } from '../workload.js'

const CONCURRENCY = 32

/** Deletes every key under `prefix` (the scenario's own), a batch at a time. */
async function dropKeys(client: RedisClientType, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.unlink(keys)
  }
}

/**
 * Redis on one server (`REDIS_URL`, default 127.0.0.1:6379), each side on its own node-redis client with
 * a fresh key prefix per scenario: `RedisUsageStore` (one script per charge, checking every window before
 * it writes) against `RateLimiterRedis` (one window), or its `RateLimiterUnion` (three, not
 * all-or-nothing). Throws (the suite is then skipped) when the server is not reachable.
 */
export async function redisScenarios(config: BenchConfig): Promise<Scenario[]> {
  const admin: RedisClientType = createClient({ url: redisUrl(), socket: { reconnectStrategy: false } })
  admin.on('error', () => undefined)
  await admin.connect()
  await admin.close()
  return ([1, 3] as WindowCount[]).map((windows) => {
    const prefix = `${uniqueName('bench')}:`
    let peerClient: RedisClientType | undefined
    const cleanup = async () => {
      const client: RedisClientType = createClient({ url: redisUrl() })
      client.on('error', () => undefined)
      await client.connect()
      try {
        await dropKeys(client, prefix)
      } finally {
        await client.close()
      }
    }
    return {
      suite: 'redis',
      name: scenarioName(windows),
      contestants: [
        ourContestant(
          'ApiBilling + RedisUsageStore',
          windows,
          () => createRedisUsageStore({ url: redisUrl(), keyPrefix: `${prefix}ours:`, onWarning: () => {} }),
          cleanup,
        ),
        peerContestant(
          windows === 1 ? 'RateLimiterRedis' : 'RateLimiterUnion(RateLimiterRedis ×3)',
          windows,
          async (duration, keyPrefix) => {
            if (peerClient === undefined) {
              peerClient = createClient({ url: redisUrl() })
              peerClient.on('error', () => undefined)
              await peerClient.connect()
            }
            return new RateLimiterRedis({
              storeClient: peerClient,
              useRedisPackage: true,
              points: LIMIT,
              duration,
              keyPrefix: `${prefix}peer:${keyPrefix}`,
            })
          },
          async () => {
            await peerClient?.close()
            await cleanup()
          },
        ),
      ],
      measure: { durationMs: config.ioRunMs, concurrency: CONCURRENCY, sampleEvery: 1 },
      warmupMs: config.ioRunMs / 2,
    }
  })
}
