import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { UsageStore } from '@x/api-billing-core'
import { MongoUsageStore } from '@x/api-billing-store-mongo'
import { createRedisUsageStore } from '@x/api-billing-store-redis'
import {
  createMysqlUsageStore,
  createPostgresUsageStore,
  createSqliteUsageStore,
} from '@x/api-billing-store-sql'

/** Where the demo keeps usage, as chosen by the environment. */
export interface StoreChoice {
  readonly store: UsageStore
  /** A human-readable description for the start-up log (no credentials). */
  readonly description: string
}

/**
 * Picks the store from the environment: `REDIS_URL` → Redis (keys under `api-billing-demo:`);
 * `MONGODB_URL` → MongoDB; `DATABASE_URL` of `postgres://…` →
 * PostgreSQL, `mysql://…` → MySQL/MariaDB, anything else → a SQLite file at that path; nothing → the
 * embedded SQLite file `data/demo.sqlite` under `defaultDir`. SQL stores come migrated.
 */
export async function createStore(env: NodeJS.ProcessEnv, defaultDir: string): Promise<StoreChoice> {
  if (env.REDIS_URL) {
    return {
      store: await createRedisUsageStore({ url: env.REDIS_URL, keyPrefix: 'api-billing-demo:' }),
      description: `Redis at ${redact(env.REDIS_URL)}`,
    }
  }
  if (env.MONGODB_URL) {
    return {
      store: MongoUsageStore.fromUrl(env.MONGODB_URL),
      description: `MongoDB at ${redact(env.MONGODB_URL)}`,
    }
  }
  const url = env.DATABASE_URL
  if (url?.startsWith('postgres://') || url?.startsWith('postgresql://')) {
    return { store: await createPostgresUsageStore(url), description: `PostgreSQL at ${redact(url)}` }
  }
  if (url?.startsWith('mysql://')) {
    return { store: await createMysqlUsageStore(url), description: `MySQL at ${redact(url)}` }
  }
  const file = resolve(url || resolve(defaultDir, 'data', 'demo.sqlite'))
  mkdirSync(dirname(file), { recursive: true })
  return { store: await createSqliteUsageStore(file), description: `SQLite file ${file}` }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}
