import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { createTestTarget, openTestStore } from './test-support/test-databases.js'

usageStoreConformanceSuite({
  name: 'SqlUsageStore (Postgres, a fresh schema per test)',
  createStore: async () => {
    const { target, cleanup } = await createTestTarget('postgres')
    return { store: await openTestStore(target), reopen: () => openTestStore(target), cleanup }
  },
})
