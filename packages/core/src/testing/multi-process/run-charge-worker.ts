import { ApiBilling } from '../../api-billing.js'
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js'
import type { UsageStore } from '../../usage-store.js'
import { charge, T0 } from '../conformance/conformance-fixtures.js'
import {
  type ChargeWorkerOrder,
  CREDITS_ALERTS,
  CREDITS_PLAN,
  type CreditsWorkerReport,
  orderWindow,
} from './charge-worker-order.js'
import { writeAllSync } from './write-all-sync.js'

function readOrder<T>(argument: string | undefined): ChargeWorkerOrder<T> {
  const order = JSON.parse(argument ?? 'null') as ChargeWorkerOrder<T> | null
  const modes: unknown[] = ['burst', 'stream', 'credits']
  if (order === null || !modes.includes(order.mode) || !(order.count > 0)) {
    throw new InvalidArgumentError(
      'argv[2]',
      `expected the order of multiProcessChargeSuite as JSON, got ${String(argument)}`,
    )
  }
  return order
}

async function burst<T>(store: UsageStore, order: ChargeWorkerOrder<T>): Promise<void> {
  const request = charge(order.clientId, [orderWindow(order.limit)])
  const results = await Promise.all(Array.from({ length: order.count }, () => store.charge(request)))
  const granted = results.filter((r) => r.allowed).map((r) => r.used[0])
  writeAllSync(1, `${JSON.stringify({ granted })}\n`)
  await store.close()
}

/** `count` concurrent 1-credit charges through an engine on the prepaid plan, reported with its alerts. */
async function credits<T>(store: UsageStore, order: ChargeWorkerOrder<T>): Promise<void> {
  const report: CreditsWorkerReport = { used: [], balances: [], thresholds: [], lowBalances: [] }
  const billing = new ApiBilling({
    store,
    clock: () => new Date(T0),
    alerts: {
      ...CREDITS_ALERTS,
      onThreshold: (event) => void report.thresholds.push(event.threshold),
      onLowBalance: (event) => void report.lowBalances.push(event.available),
    },
  })
  await billing.updateClientQuotas(order.clientId, CREDITS_PLAN)
  const decisions = await Promise.all(
    Array.from({ length: order.count }, () => billing.tryTrackClientUsage(order.clientId, 1)),
  )
  for (const d of decisions) {
    if (!d.allowed) continue
    report.used.push(d.windows[1]?.used as number)
    report.balances.push(d.balance as number)
  }
  await new Promise((resolve) => setImmediate(resolve)) // the alert handlers run after the answers
  writeAllSync(1, `${JSON.stringify(report)}\n`)
  await store.close()
}

async function stream<T>(store: UsageStore, order: ChargeWorkerOrder<T>): Promise<never> {
  const request = charge(order.clientId, [orderWindow(order.limit)])
  const loop = async (): Promise<never> => {
    for (;;) {
      // Written before the next charge starts: every `ack` the parent counts is a charge already granted.
      if ((await store.charge(request)).allowed) writeAllSync(1, 'ack\n')
    }
  }
  return Promise.race(Array.from({ length: order.count }, loop))
}

/**
 * The body of a store's charge worker, the child process {@link multiProcessChargeSuite} spawns. A
 * store's worker script is one call (compiled `.js` or plain `.mjs`, run by Node without a test runner):
 *
 * @example
 * // src/test-support/charge-worker.ts, compiled to dist/test-support/charge-worker.js
 * import { runChargeWorker } from '@x/api-billing-core/testing'
 * await runChargeWorker((target: MyTarget) => openMyStore(target))
 *
 * It reads the suite's order (JSON) from `process.argv[2]`, opens the store with `open(order.target)`
 * and either fires a burst of concurrent 1-credit charges, prints `{"granted":[...]}` and closes the
 * store (the promise then resolves), or charges in loops writing `ack` after each granted charge until
 * the process is killed (the promise never resolves). On any error it writes the stack to stderr and
 * exits with code 1; the promise never rejects.
 */
export async function runChargeWorker<T>(open: (target: T) => Promise<UsageStore>): Promise<void> {
  try {
    const order = readOrder<T>(process.argv[2])
    const store = await open(order.target)
    const work = { burst, stream, credits }[order.mode]
    await work(store, order)
  } catch (error) {
    writeAllSync(2, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  }
}
