// The child process of the multi-process tests (core's `multiProcessChargeSuite`): opens the built store
// on the order's target `{ url, dbName }` (no init(): the test's own process has run it) and lets core's
// runChargeWorker read the order and charge. Usage: node charge-worker.mjs '<order as JSON>'
import { runChargeWorker } from '@x/api-billing-core/testing'
import { MongoUsageStore } from '../../dist/index.js'

await runChargeWorker(async ({ url, dbName }) => MongoUsageStore.fromUrl(url, { dbName }))
