/**
 * The child process of core's multi-process suite (`multiProcessChargeSuite`), run from the built `dist/`:
 * it opens the store on the target the parent names, with the batching the parent chose.
 */
import { runChargeWorker } from '@x/api-billing-core/testing'
import { type BatchedTarget, openBatchedTarget } from './batched-target.js'

await runChargeWorker((target: BatchedTarget) => openBatchedTarget(target))
