// The charge worker of core's own test of the multi-process suite (multi-process-charge-suite.test.ts), on
// the memory store: each process has a store of its own, so the suite must fail. Runs the TypeScript
// sources through ../register-typescript-loader.mjs, without a build. Test tooling only, not published.
import { MemoryUsageStore } from '../../memory-usage-store.ts'
import { runChargeWorker } from './run-charge-worker.ts'

await runChargeWorker(async () => new MemoryUsageStore())
