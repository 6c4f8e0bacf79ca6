export { ManualClock } from './manual-clock.js'
export {
  type StoreUnderTest,
  type UsageStoreConformanceOptions,
  usageStoreConformanceSuite,
} from './usage-store-conformance-suite.js'
