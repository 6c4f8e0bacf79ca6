import assert from 'node:assert/strict'
import { grant, ledgerSums, T0 } from '../conformance/conformance-fixtures.js'
import type { ChargeWorkerOrder, CreditsWorkerReport } from './charge-worker-order.js'
import { type MultiProcessRun, withRunStore } from './multi-process-run.js'
import { startChargeWorker } from './start-charge-worker.js'
import { withDeadline } from './with-deadline.js'

/** The prepaid balance the processes race for, in two grants. */
export const RACED_BALANCE = 500

/** `1..n`, the answers `n` exact charges give. */
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

/**
 * `processes` workers fire `chargesPerProcess` concurrent 1-credit charges each, through engines with
 * alerts, at one pure-prepaid client whose balance is {@link RACED_BALANCE}: exactly that many are
 * granted, each told its own `used` and balance, the grants end at 0 (never below), the ledger says all
 * came from the balance, and the 80 % line of the day window and the low-balance line each fired once
 * in total across the processes.
 */
export async function creditsRacingTest<T>(run: MultiProcessRun<T>): Promise<void> {
  const { processes, chargesPerProcess } = run
  await withRunStore(run, async (store) => {
    await store.grantCredits({
      clientId: 'prepaid',
      grant: grant('first', 200, { expiresAt: T0 + 3_600_000 }),
    })
    await store.grantCredits({ clientId: 'prepaid', grant: grant('second', RACED_BALANCE - 200) })
  })
  const order: ChargeWorkerOrder<T> = {
    mode: 'credits',
    target: run.target,
    clientId: 'prepaid',
    limit: null,
    count: chargesPerProcess,
  }
  const workers = Array.from({ length: processes }, () => startChargeWorker(run.script, order))
  let reports: CreditsWorkerReport[]
  try {
    const outputs = await withDeadline(
      Promise.all(workers.map((w) => w.exited)),
      run.deadlineMs,
      'credit workers',
    )
    reports = outputs.map((output) => JSON.parse(output) as CreditsWorkerReport)
  } finally {
    for (const worker of workers) worker.kill()
  }
  const sorted = (pick: (r: CreditsWorkerReport) => number[]) => reports.flatMap(pick).sort((a, b) => a - b)
  assert.deepEqual(
    sorted((r) => r.used),
    oneTo(RACED_BALANCE),
    'each granted charge told its own used, 1 to 500',
  )
  assert.deepEqual(
    sorted((r) => r.balances),
    oneTo(RACED_BALANCE).map((n) => n - 1),
    'each granted charge told its own balance, 499 to 0',
  )
  assert.deepEqual(
    sorted((r) => r.thresholds),
    [0.8],
    'the 80 % alert fired once across the processes',
  )
  assert.deepEqual(
    sorted((r) => r.lowBalances),
    [100],
    'the low-balance alert fired once across the processes',
  )
  await withRunStore(run, async (store) => {
    assert.deepEqual(await store.listGrants('prepaid', T0), [], 'both grants are spent, none below zero')
    const sums = await ledgerSums(store, 'prepaid')
    assert.deepEqual(sums, { credits: RACED_BALANCE, fromBalance: RACED_BALANCE, overage: 0 }, 'ledger')
  })
}
