import { afterEach, beforeEach, describe, it } from '@jest/globals'
import { MemoryUsageStore } from './memory-usage-store.js'
import { usageStoreConformanceSuite } from './testing/index.js'

usageStoreConformanceSuite({
  name: 'MemoryUsageStore',
  createStore: async () => ({ store: new MemoryUsageStore() }),
  testApi: { describe, it, beforeEach, afterEach },
})
