import { MemoryUsageStore, type UsageStore } from '@x/api-billing-core'

/** A named way to create a fresh, initialised store, for `describe.each`. */
export interface StoreFactory {
  readonly name: string
  readonly create: () => Promise<UsageStore>
}

/** Every store the middleware is tested on. */
export const STORE_FACTORIES: readonly StoreFactory[] = [
  {
    name: 'MemoryUsageStore',
    create: async () => new MemoryUsageStore(),
  },
]
