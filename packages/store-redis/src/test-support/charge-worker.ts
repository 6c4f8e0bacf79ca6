/**
 * The child process of the multi-process tests (core's `multiProcessChargeSuite`), run from the built
 * `dist/`: `node dist/test-support/charge-worker.js '<order as JSON>'`. Core's `runChargeWorker` reads
 * the order and charges; this file only opens the store on the order's {@link RedisTestTarget}.
 */
import { runChargeWorker } from '@x/api-billing-core/testing'
import { createRedisUsageStore } from '../create-redis-usage-store.js'
import type {
  RedisUsageStoreClusterOptions,
  RedisUsageStoreUrlOptions,
} from '../redis-usage-store-options.js'

/** Where a multi-process test's data lives: one server (`url`) or a Cluster (`clusterNodes`), and a prefix. */
export type RedisTestTarget =
  | Pick<RedisUsageStoreUrlOptions, 'url' | 'keyPrefix'>
  | Pick<RedisUsageStoreClusterOptions, 'clusterNodes' | 'keyPrefix'>

await runChargeWorker((target: RedisTestTarget) =>
  createRedisUsageStore({ ...target, onWarning: () => undefined }),
)
