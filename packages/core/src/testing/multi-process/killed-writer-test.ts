import assert from 'node:assert/strict'
import type { UsageStore } from '../../usage-store.js'
import { ledgerTotal } from '../conformance/conformance-fixtures.js'
import { orderWindow } from './charge-worker-order.js'
import { type MultiProcessRun, withRunStore } from './multi-process-run.js'
import { startChargeWorker } from './start-charge-worker.js'
import { withDeadline } from './with-deadline.js'

/** Concurrent charge loops of the writer that gets killed. */
export const KILLED_WRITER_LOOPS = 8
/** Acknowledged charges after which the writer is killed. */
export const KILL_AFTER_ACKS = 300

/** How long the store may take to settle after the kill, and the gap between two reads that must agree. */
const SETTLE_DEADLINE_MS = 10_000
const SETTLE_GAP_MS = 50

/**
 * The victim's ledger and counter once two reads {@link SETTLE_GAP_MS} apart agree. A charge the killed
 * process had already sent may still commit on the server after the process is gone (a database finishes
 * an orphaned statement), and the ledger and the counter are two reads: without settling, that commit can
 * land between them and look like a torn charge.
 */
async function settledTotals(store: UsageStore): Promise<{ ledger: number; counter: number }> {
  const read = async () => {
    const ledger = await ledgerTotal(store, 'victim')
    const [counter = 0] = await store.status('victim', [orderWindow(null)])
    return { ledger, counter }
  }
  const deadline = Date.now() + SETTLE_DEADLINE_MS
  let last = await read()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_GAP_MS))
    const next = await read()
    if ((next.ledger === last.ledger && next.counter === last.counter) || Date.now() > deadline) return next
    last = next
  }
}

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
    const { ledger, counter } = await settledTotals(store)
    assert.ok(ledger >= acked, `the ledger holds ${ledger} credits, the writer acknowledged ${acked}`)
    assert.ok(counter >= acked, `the counter holds ${counter} credits, the writer acknowledged ${acked}`)
    if (run.atomicCharges) assert.equal(counter, ledger, 'counter and ledger differ after the kill')
  })
}
