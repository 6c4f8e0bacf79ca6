import assert from 'node:assert/strict'
import { ledgerTotal } from '../conformance/conformance-fixtures.js'
import { type ChargeWorkerOrder, orderWindow } from './charge-worker-order.js'
import { type MultiProcessRun, withRunStore } from './multi-process-run.js'
import { startChargeWorker } from './start-charge-worker.js'
import { withDeadline } from './with-deadline.js'

/**
 * `processes` workers fire `chargesPerProcess` concurrent 1-credit charges each at one window of
 * `limit` credits: exactly `limit` are granted, each told its own count (1 to `limit`), and a fresh
 * store reads `limit` in the counter and in the ledger.
 */
export async function racingProcessesTest<T>(run: MultiProcessRun<T>): Promise<void> {
  const { processes, chargesPerProcess, limit } = run
  await (await run.openStore(run.target)).close() // initialised (schema, indexes) before the race
  const order: ChargeWorkerOrder<T> = {
    mode: 'burst',
    target: run.target,
    clientId: 'shared',
    limit,
    count: chargesPerProcess,
  }
  const workers = Array.from({ length: processes }, () => startChargeWorker(run.script, order))
  let granted: number[]
  try {
    const all = Promise.all(workers.map((worker) => worker.exited))
    const outputs = await withDeadline(all, run.deadlineMs, `${processes} charge workers`)
    granted = outputs.flatMap((output) => (JSON.parse(output) as { granted: number[] }).granted)
  } finally {
    for (const worker of workers) worker.kill()
  }
  const total = processes * chargesPerProcess
  assert.equal(granted.length, limit, `granted ${granted.length} of ${total} charges, limit ${limit}`)
  const counts = granted.sort((a, b) => a - b)
  assert.deepEqual(
    counts,
    Array.from({ length: limit }, (_, i) => i + 1),
    `granted charges were not told 1 to ${limit}, each once`,
  )
  await withRunStore(run, async (store) => {
    assert.deepEqual(await store.status('shared', [orderWindow(limit)]), [limit], 'counter')
    assert.equal(await ledgerTotal(store, 'shared'), limit, 'ledger')
  })
}
