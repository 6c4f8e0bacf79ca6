export type { ConformanceTestApi } from './conformance-test-api.js'
export { ManualClock } from './manual-clock.js'
export {
  type StoreUnderTest,
  type UsageStoreConformanceOptions,
  usageStoreConformanceSuite,
} from './usage-store-conformance-suite.js'
