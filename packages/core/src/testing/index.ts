export type { ConformanceTestApi } from './conformance-test-api.js'
export { ManualClock } from './manual-clock.js'
export {
  type MultiProcessChargeSuiteOptions,
  type MultiProcessTarget,
  multiProcessChargeSuite,
} from './multi-process/multi-process-charge-suite.js'
export { runChargeWorker } from './multi-process/run-charge-worker.js'
export { writeAllSync } from './multi-process/write-all-sync.js'
export {
  type StoreUnderTest,
  type UsageStoreConformanceOptions,
  usageStoreConformanceSuite,
} from './usage-store-conformance-suite.js'
