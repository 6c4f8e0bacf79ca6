import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { createTestTarget, openTestStore } from './test-support/test-databases.js'

usageStoreConformanceSuite({
  name: 'SqlUsageStore (MariaDB/MySQL, a fresh database per test)',
  createStore: async () => {
    const { target, cleanup } = await createTestTarget('mysql')
    return { store: await openTestStore(target), reopen: () => openTestStore(target), cleanup }
  },
})
