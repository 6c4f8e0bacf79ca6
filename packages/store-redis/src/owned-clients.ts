import type { RedisStoreClient } from './redis-clients.js'

/** Clients `createRedisUsageStore` made: the store closes these, and leaves every other client open. */
export const ownedClients = new WeakSet<RedisStoreClient>()
