import assert from 'node:assert/strict'
import { ledgerTotal } from '../conformance/conformance-fixtures.js'
import { orderWindow } from './charge-worker-order.js'
import { type MultiProcessRun, withRunStore } from './multi-process-run.js'
import { startChargeWorker } from './start-charge-worker.js'
import { withDeadline } from './with-deadline.js'

/** Concurrent charge loops of the writer that gets killed. */
export const KILLED_WRITER_LOOPS = 8
/** Acknowledged charges after which the writer is killed. */
export const KILL_AFTER_ACKS = 300

/**
 * A worker charges an unlimited window in {@link KILLED_WRITER_LOOPS} loops and is killed with SIGKILL
 * once it has acknowledged {@link KILL_AFTER_ACKS} charges: a fresh store finds every acknowledged
 * charge in the ledger and in the counter, and, when `atomicCharges`, counter and ledger equal.
 */
export async function killedWriterTest<T>(run: MultiProcessRun<T>): Promise<void> {
  await (await run.openStore(run.target)).close() // initialised before the writer starts
  const worker = startChargeWorker(run.script, {
    mode: 'stream',
    target: run.target,
    clientId: 'victim',
    limit: null,
    count: KILLED_WRITER_LOOPS,
  })
  try {
    await withDeadline(worker.untilAcks(KILL_AFTER_ACKS), run.deadlineMs, `${KILL_AFTER_ACKS} acks`)
  } finally {
    worker.kill()
  }
  await worker.exited
  const acked = worker.acks() // also the acks that were still in the pipe when it died
  await withRunStore(run, async (store) => {
    const ledger = await ledgerTotal(store, 'victim')
    const [counter = 0] = await store.status('victim', [orderWindow(null)])
    assert.ok(ledger >= acked, `the ledger holds ${ledger} credits, the writer acknowledged ${acked}`)
    assert.ok(counter >= acked, `the counter holds ${counter} credits, the writer acknowledged ${acked}`)
    if (run.atomicCharges) assert.equal(counter, ledger, 'counter and ledger differ after the kill')
  })
}
