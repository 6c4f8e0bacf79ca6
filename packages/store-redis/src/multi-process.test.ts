import { join } from 'node:path'
import { describe, it } from '@jest/globals'
import { multiProcessChargeSuite } from '@x/api-billing-core/testing'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import type { RedisTestTarget } from './test-support/charge-worker.js'
import { clusterNodes, deleteKeysWithPrefix, freshPrefix, redisUrl } from './test-support/test-redis.js'

// The workers run the compiled package; the package's `test` script builds it first (`tsc -b && jest`).
const WORKER = join(__dirname, '..', 'dist', 'test-support', 'charge-worker.js')

/**
 * Measured on this 2-core machine, standalone and Cluster alike: the race 1.1-2.9 s, the killed writer
 * 0.55-1.1 s (the higher figures with other work running). 30 s is over 10x either.
 */
const TIMEOUT_MS = 30_000

for (const cluster of [false, true]) {
  multiProcessChargeSuite<RedisTestTarget>({
    name: cluster ? 'a 3-master Redis Cluster' : 'standalone Redis',
    testApi: { describe, it },
    workerPath: WORKER,
    createTarget: async () => {
      const keyPrefix = freshPrefix('mp')
      return {
        target: cluster ? { clusterNodes: clusterNodes(), keyPrefix } : { url: redisUrl(), keyPrefix },
        cleanup: () => deleteKeysWithPrefix(keyPrefix, cluster),
      }
    },
    openStore: (target) => createRedisUsageStore({ ...target, onWarning: () => undefined }),
    timeoutMs: TIMEOUT_MS,
  })
}
