import { StoreUnavailableError } from '@x/api-billing-core'
import type { SqlUsageStore } from './sql-usage-store.js'

/** Imports an optional driver, or explains which package to install. */
export async function importDriver<T>(name: string, load: () => Promise<T>, factory: string): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw new StoreUnavailableError(`${factory} needs the ${name} package: npm install ${name}`, {
      cause: error,
    })
  }
}

/** Initialises a freshly opened store; closes it again (releasing its connections) when that fails. */
export async function initialised(store: SqlUsageStore): Promise<SqlUsageStore> {
  try {
    await store.init()
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
  return store
}
