import { InvalidArgumentError } from '../../errors/invalid-argument-error.js'
import type { UsageStore } from '../../usage-store.js'
import type { ConformanceTestApi } from '../conformance-test-api.js'
import { creditsRacingTest, RACED_BALANCE } from './credits-racing-test.js'
import { killedWriterTest } from './killed-writer-test.js'
import type { MultiProcessRun } from './multi-process-run.js'
import { racingProcessesTest } from './racing-processes-test.js'

/** Where one test's data lives, and how to remove it afterwards. */
export interface MultiProcessTarget<T> {
  /**
   * Everything a worker needs to open the store on the same data (URL, database name, key prefix,
   * file path...). Handed to the worker as JSON, so it must survive `JSON.stringify`.
   */
  readonly target: T
  /** Removes what the test wrote (database, keys, files). Runs after the test, also after a failed one. */
  readonly cleanup: () => Promise<void>
}

/** Options of {@link multiProcessChargeSuite}. */
export interface MultiProcessChargeSuiteOptions<T> {
  /** Names the `describe` block: `` `${name} shared by several processes` ``. */
  readonly name: string
  /** The runner's `describe` and `it` (the same object as the conformance suite's `testApi` fits). */
  readonly testApi: Pick<ConformanceTestApi, 'describe' | 'it'>
  /** The store's worker script, a `.js` or `.mjs` file that calls {@link runChargeWorker}. */
  readonly workerPath: string
  /** Node options put before `workerPath` (e.g. `['--import', 'tsx']`). Default `[]`. */
  readonly nodeArgs?: readonly string[]
  /** A fresh, empty target for one test, shared by no other test. */
  readonly createTarget: () => Promise<MultiProcessTarget<T>>
  /**
   * Opens (and initialises) a store on `target` in the test's own process: once before the workers
   * start, and once after they have finished, to read what they left.
   */
  readonly openStore: (target: T) => Promise<UsageStore>
  /** Worker processes racing in the first test. Default 4. */
  readonly processes?: number
  /** Concurrent 1-credit charges per worker in the first test. Default 250. */
  readonly chargesPerProcess?: number
  /** Credits of the raced window; must be below `processes × chargesPerProcess`. Default 500. */
  readonly limit?: number
  /**
   * Timeout of each test in ms, handed to `it`. The workers get 90% of it; then they are killed and
   * the test fails saying so. Default 60 000.
   */
  readonly timeoutMs?: number
  /**
   * `true` (the default) when a charge writes its windows and its ledger bucket at once (one
   * transaction or script): after a writer is killed, counter and ledger must be equal. `false` for a
   * store that writes them one after the other; every acknowledged charge must still be in both.
   */
  readonly atomicCharges?: boolean
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(name, `expected a positive integer, got ${value}`)
  }
  return value
}

/**
 * Registers the tests of a `UsageStore` shared by several Node processes, as one `describe` block of the
 * caller's runner (assertions with `node:assert/strict`, no runner imported):
 *
 * - `processes` × `chargesPerProcess` concurrent 1-credit charges on a `limit`-credit window: exactly
 *   `limit` granted, each told its own count, counter and ledger both `limit`;
 * - a writer killed with SIGKILL mid-load loses no acknowledged charge;
 * - the same race through engines with alerts against one prepaid balance: exactly the balance spent, each
 *   alert fired once in total.
 *
 * The workers are separate Node processes running the store's worker script ({@link runChargeWorker});
 * every test gets its own target from `createTarget`. Throws `InvalidArgumentError` on bad options.
 *
 * @example
 * import { describe, it } from '@jest/globals'
 *
 * multiProcessChargeSuite({
 *   name: 'MyStore',
 *   testApi: { describe, it },
 *   workerPath: join(__dirname, '..', 'dist', 'test-support', 'charge-worker.js'),
 *   createTarget: async () => ({ target: { url, dbName: freshName() }, cleanup: () => dropDb() }),
 *   openStore: (target) => MyStore.open(target),
 * })
 */
export function multiProcessChargeSuite<T>(options: MultiProcessChargeSuiteOptions<T>): void {
  const processes = positiveInteger(options.processes ?? 4, 'processes')
  const chargesPerProcess = positiveInteger(options.chargesPerProcess ?? 250, 'chargesPerProcess')
  const limit = positiveInteger(options.limit ?? 500, 'limit')
  const timeoutMs = positiveInteger(options.timeoutMs ?? 60_000, 'timeoutMs')
  if (limit >= processes * chargesPerProcess) {
    throw new InvalidArgumentError(
      'limit',
      `must be below processes × chargesPerProcess, or no charge is refused`,
    )
  }
  if (processes * chargesPerProcess <= RACED_BALANCE) {
    throw new InvalidArgumentError(
      'chargesPerProcess',
      `processes × chargesPerProcess must be above the credits race's balance of ${RACED_BALANCE}`,
    )
  }
  const test = (name: string, body: (run: MultiProcessRun<T>) => Promise<void>) =>
    options.testApi.it(
      name,
      async () => {
        const { target, cleanup } = await options.createTarget()
        try {
          await body({
            script: { workerPath: options.workerPath, nodeArgs: options.nodeArgs ?? [] },
            target,
            openStore: options.openStore,
            processes,
            chargesPerProcess,
            limit,
            deadlineMs: Math.floor(timeoutMs * 0.9),
            atomicCharges: options.atomicCharges ?? true,
          })
        } finally {
          await cleanup()
        }
      },
      timeoutMs,
    )
  options.testApi.describe(`${options.name} shared by several processes`, () => {
    test(
      `${processes} processes × ${chargesPerProcess} concurrent 1-credit charges on a ${limit}-credit window: ` +
        `exactly ${limit} granted, each told its own count, counter and ledger both ${limit}`,
      racingProcessesTest,
    )
    test('a writer killed with SIGKILL mid-load loses no acknowledged charge', killedWriterTest)
    test(
      `${processes} processes × ${chargesPerProcess} charges through engines with alerts against one balance of ` +
        `${RACED_BALANCE}: exactly ${RACED_BALANCE} spent, never below zero, each alert fired once in total`,
      creditsRacingTest,
    )
  })
}
