export { MongoUsageStore } from './mongo-usage-store.js'
export type {
  ClientLockMode,
  MongoUsageStoreCommonOptions,
  MongoUsageStoreOptions,
  MongoUsageStoreUrlOptions,
} from './mongo-usage-store-options.js'
