import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryUsageStore, type UsageStore } from '@x/api-billing-core'
import { createSqliteUsageStore } from '@x/api-billing-store-sql'

/** A named way to create a fresh, initialised store, for `describe.each`. */
export interface StoreFactory {
  readonly name: string
  readonly create: () => Promise<UsageStore>
}

/** A SQLite file in a fresh temporary directory, removed when the store is closed. */
async function sqliteFileStore(): Promise<UsageStore> {
  const dir = await mkdtemp(join(tmpdir(), 'api-billing-express-'))
  const store = await createSqliteUsageStore(join(dir, 'usage.db'))
  const close = store.close.bind(store)
  store.close = async () => {
    await close()
    await rm(dir, { recursive: true, force: true })
  }
  return store
}

/** Every store the middleware is tested on: core's memory store and the embedded SQLite store. */
export const STORE_FACTORIES: readonly StoreFactory[] = [
  { name: 'MemoryUsageStore', create: async () => new MemoryUsageStore() },
  { name: 'SQLite (store-sql)', create: sqliteFileStore },
]
