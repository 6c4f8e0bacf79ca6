import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { UsageStore } from '@x/api-billing-core'
import { multiProcessChargeSuite } from '@x/api-billing-core/testing'
import { type BatchedTarget, openBatchedTarget } from './test-support/batched-target.js'
import { SWEEP_WINDOW } from './test-support/sweep-window.js'
import type { SweepOrder } from './test-support/sweep-worker.js'
import {
  createTestTarget,
  mysqlAdminRows,
  openTestStore,
  postgresAdmin,
  type TestEngine,
} from './test-support/test-databases.js'

// The workers run the compiled package; the package's `test` script builds it first (`tsc -b && jest`).
const DIST = join(__dirname, '..', 'dist', 'test-support')
const engines: TestEngine[] = ['sqlite', 'postgres', 'mysql']

// Core's multi-process suite (exactly the limit of 4 × 250 racing charges granted, each told its own count,
// counter and ledger equal; a SIGKILLed writer loses no acknowledged charge), per engine, batching on and
// off. Measured: 1.5–6 s per test on a loaded 2-core machine; 60 s each.
for (const engine of engines) {
  for (const batching of [true, false]) {
    multiProcessChargeSuite<BatchedTarget>({
      name: `${engine} (batching ${batching ? 'on' : 'off'})`,
      testApi: { describe, it },
      workerPath: join(DIST, 'charge-worker.js'),
      createTarget: async () => {
        const { target, cleanup } = await createTestTarget(engine)
        return { target: { database: target, batching }, cleanup }
      },
      openStore: openBatchedTarget,
      timeoutMs: 60_000,
    })
  }
}

function runSweep(order: SweepOrder): Promise<{ granted: number }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(DIST, 'sweep-worker.js'), JSON.stringify(order)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout.trim()) as { granted: number })
        : reject(new Error(`sweep worker exited with ${code}: ${stderr}`)),
    )
  })
}

async function ledgerTotal(store: UsageStore, clientId: string): Promise<number> {
  const buckets = await store.readUsage({
    clientId,
    from: Number.MIN_SAFE_INTEGER,
    to: Number.MAX_SAFE_INTEGER,
  })
  return buckets.reduce((sum, b) => sum + b.credits, 0)
}

/** How many deadlocks the database server has detected so far (0 for SQLite, which has none). */
async function serverDeadlocks(engine: TestEngine): Promise<number> {
  if (engine === 'postgres') {
    const { rows } = await postgresAdmin(
      'select deadlocks from pg_stat_database where datname = current_database()',
    )
    return Number(rows[0]?.deadlocks)
  }
  if (engine === 'mysql') {
    const rows = await mysqlAdminRows("show global status like 'Innodb_deadlocks'")
    return Number(rows[0]?.Value)
  }
  return 0
}

describe.each(engines)('%s shared by processes charging overlapping clients in opposite orders', (engine) => {
  it('surfaces no deadlock and counts every charge exactly', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    try {
      await (await openTestStore(target)).close()
      const clients = Array.from({ length: 24 }, (_, i) => `client-${String(i).padStart(2, '0')}`)
      const order = (clients: string[]): SweepOrder => ({ target, clients, rounds: 4, loops: 16 })
      const deadlocksBefore = await serverDeadlocks(engine)
      const runs = await Promise.all([runSweep(order(clients)), runSweep(order([...clients].reverse()))])
      // Retries would hide deadlocks from the callers; the server's own count does not.
      expect(await serverDeadlocks(engine)).toBe(deadlocksBefore)
      expect(runs.map((run) => run.granted)).toEqual([16 * 4 * 24, 16 * 4 * 24])
      const store = await openTestStore(target)
      for (const clientId of clients) {
        expect(await store.status(clientId, [SWEEP_WINDOW])).toEqual([2 * 16 * 4])
        expect(await ledgerTotal(store, clientId)).toBe(2 * 16 * 4)
      }
      await store.close()
    } finally {
      await cleanup()
    }
  }, 60_000)
})
