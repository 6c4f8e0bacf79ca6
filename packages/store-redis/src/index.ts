export { createRedisUsageStore } from './create-redis-usage-store.js'
export type {
  RedisClusterClient,
  RedisClusterNode,
  RedisCommandOptions,
  RedisStandaloneClient,
  RedisStoreClient,
} from './redis-clients.js'
export { RedisUsageStore } from './redis-usage-store.js'
export {
  type CreateRedisUsageStoreOptions,
  DEFAULT_KEY_PREFIX,
  type RedisUsageStoreClusterOptions,
  type RedisUsageStoreCommonOptions,
  type RedisUsageStoreOptions,
  type RedisUsageStoreUrlOptions,
} from './redis-usage-store-options.js'
