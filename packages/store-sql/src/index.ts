export type { SqlBatchingOptions } from './batching-options.js'
export { createMysqlUsageStore } from './create-mysql-usage-store.js'
export { createPostgresUsageStore } from './create-postgres-usage-store.js'
export {
  createSqliteUsageStore,
  type SqliteUsageStoreOptions,
} from './create-sqlite-usage-store.js'
export {
  MIGRATION_BATCH_CHARGES_V2,
  MIGRATION_BATCHED_CHARGES,
  MIGRATION_COUNTERS_AND_LEDGER,
  MIGRATION_CREDITS,
  MIGRATION_KEYS_AND_RETENTION,
  MIGRATION_MYSQL_PROCEDURES,
  MIGRATION_POSTGRES_FUNCTIONS,
  usageStoreMigrations,
} from './migrations.js'
export type { ServerUsageStoreOptions } from './server-store-options.js'
export { detectSqlDialect, type SqlDialect } from './sql-dialect.js'
export { SqlUsageStore, type SqlUsageStoreOptions } from './sql-usage-store.js'
export type { SqliteDatabaseHandle, SqliteStatementHandle } from './sqlite-database-handle.js'
