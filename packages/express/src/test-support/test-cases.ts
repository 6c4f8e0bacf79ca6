import { EXPRESS_VERSIONS, type ExpressVersion } from './express-versions.js'
import { STORE_FACTORIES, type StoreFactory } from './store-factories.js'

/** One Express version on one store, for `describe.each`. */
export interface TestCase {
  readonly label: string
  readonly version: ExpressVersion
  readonly store: StoreFactory
}

/** Every Express version on every store. */
export const TEST_CASES: readonly TestCase[] = EXPRESS_VERSIONS.flatMap((version) =>
  STORE_FACTORIES.map((store) => ({ label: `${version.name} on ${store.name}`, version, store })),
)
