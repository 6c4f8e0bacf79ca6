import { afterEach, beforeEach, describe, it } from '@jest/globals'
import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import { clusterNodes, deleteKeysWithPrefix, freshPrefix } from './test-support/test-redis.js'

usageStoreConformanceSuite({
  name: 'RedisUsageStore (3-master Cluster)',
  testApi: { describe, it, beforeEach, afterEach },
  createStore: async () => {
    const keyPrefix = freshPrefix('cconf')
    const open = () =>
      createRedisUsageStore({ clusterNodes: clusterNodes(), keyPrefix, onWarning: () => undefined })
    return {
      store: await open(),
      reopen: open,
      cleanup: () => deleteKeysWithPrefix(keyPrefix, true),
    }
  },
})
