import { afterAll, afterEach, beforeEach, describe, it } from '@jest/globals'
import { usageStoreConformanceSuite } from '@x/api-billing-core/testing'
import { MongoClient } from 'mongodb'
import { MongoUsageStore } from './mongo-usage-store.js'
import { freshDbName, mongoUrl } from './test-support/test-database.js'

let admin: MongoClient | undefined

afterAll(async () => {
  await admin?.close()
})

for (const batching of [true, false]) {
  usageStoreConformanceSuite({
    name: `MongoUsageStore (batching: ${batching})`,
    createStore: async () => {
      const url = mongoUrl()
      admin ??= new MongoClient(url)
      const dbName = freshDbName('conf')
      const open = async () => {
        const store = MongoUsageStore.fromUrl(url, { dbName, batching })
        try {
          await store.init()
        } catch (error) {
          await store.close()
          throw error
        }
        return store
      }
      return {
        store: await open(),
        reopen: open,
        cleanup: async () => {
          await admin?.db(dbName).dropDatabase()
        },
      }
    },
    testApi: { describe, it, beforeEach, afterEach },
  })
}
