import { afterEach, beforeEach, describe, it } from '@jest/globals'
import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { SqlUsageStore } from './sql-usage-store.js'
import { createTestTarget, openKysely, openTestStore } from './test-support/test-databases.js'

const testApi = { describe, it, beforeEach, afterEach }

usageStoreConformanceSuite({
  name: 'SqlUsageStore (SQLite file, prepared statements on better-sqlite3)',
  createStore: async () => {
    const { target, cleanup } = await createTestTarget('sqlite')
    return { store: await openTestStore(target), reopen: () => openTestStore(target), cleanup }
  },
  testApi,
})

usageStoreConformanceSuite({
  name: 'SqlUsageStore (SQLite file, batching off: one transaction per operation)',
  createStore: async () => {
    const { target, cleanup } = await createTestTarget('sqlite')
    const open = () => openTestStore(target, { batching: false })
    return { store: await open(), reopen: open, cleanup }
  },
  testApi,
})

usageStoreConformanceSuite({
  name: 'SqlUsageStore (SQLite :memory:)',
  createStore: async () => {
    const { target, cleanup } = await createTestTarget('sqlite', ':memory:')
    return { store: await openTestStore(target), cleanup }
  },
  testApi,
})

async function kyselyOnlyStore(target: Parameters<typeof openKysely>[0]): Promise<SqlUsageStore> {
  const store = new SqlUsageStore({ db: await openKysely(target) })
  await store.init()
  return store
}

usageStoreConformanceSuite({
  name: 'SqlUsageStore (SQLite file, through a plain Kysely instance)',
  createStore: async () => {
    const { target, cleanup } = await createTestTarget('sqlite')
    return { store: await kyselyOnlyStore(target), reopen: () => kyselyOnlyStore(target), cleanup }
  },
  testApi,
})
