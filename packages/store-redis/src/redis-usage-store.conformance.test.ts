import { afterEach, beforeEach, describe, it } from '@jest/globals'
import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import { deleteKeysWithPrefix, freshPrefix, redisUrl } from './test-support/test-redis.js'

usageStoreConformanceSuite({
  name: 'RedisUsageStore (standalone)',
  testApi: { describe, it, beforeEach, afterEach },
  createStore: async () => {
    const keyPrefix = freshPrefix('conf')
    const open = () => createRedisUsageStore({ url: redisUrl(), keyPrefix, onWarning: () => undefined })
    return {
      store: await open(),
      reopen: open,
      cleanup: () => deleteKeysWithPrefix(keyPrefix),
    }
  },
})
