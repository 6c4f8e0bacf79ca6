import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { StoreWindow, UsageStore } from '@x/api-billing-core'
import type { WorkerOrder } from './test-support/charge-worker.js'
import {
  createTestTarget,
  mysqlAdminRows,
  openTestStore,
  postgresAdmin,
  type TestEngine,
  type TestTarget,
} from './test-support/test-databases.js'

// The workers run the compiled package; the package's `test` script builds it first (`tsc -b && jest`).
const WORKER = join(__dirname, '..', 'dist', 'test-support', 'charge-worker.js')
const DAY = 86_400_000
const WINDOW_START = Date.UTC(2026, 0, 15)

function dayWindow(limit: number | null): WorkerOrder['window'] {
  return { duration: 'day', start: WINDOW_START, end: WINDOW_START + DAY, limit }
}

function startWorker(order: WorkerOrder): {
  child: ChildProcess
  exited: Promise<{ stdout: string; code: number | null }>
} {
  if (!existsSync(WORKER))
    throw new Error(
      `${WORKER} is missing: build the package first (pnpm build, or pnpm test which runs tsc -b)`,
    )
  const child = spawn(process.execPath, [WORKER, JSON.stringify(order)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<{ stdout: string; code: number | null }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL')
        reject(new Error(`worker exited with ${code ?? signal}: ${stderr}`))
      else resolve({ stdout, code })
    })
  })
  return { child, exited }
}

async function ledgerTotal(store: UsageStore, clientId: string): Promise<number> {
  const buckets = await store.readUsage({
    clientId,
    from: Number.MIN_SAFE_INTEGER,
    to: Number.MAX_SAFE_INTEGER,
  })
  return buckets.reduce((sum, b) => sum + b.credits, 0)
}

async function withTarget(engine: TestEngine, test: (target: TestTarget) => Promise<void>): Promise<void> {
  const { target, cleanup } = await createTestTarget(engine)
  try {
    await test(target)
  } finally {
    await cleanup()
  }
}

const engines: TestEngine[] = ['sqlite', 'postgres', 'mysql']
const variants = engines.flatMap((engine) => [
  { engine, batching: true, title: `${engine} (batching on)` },
  { engine, batching: false, title: `${engine} (batching off)` },
])

describe.each(variants)('$title shared by several processes', ({ engine, batching }) => {
  it('grants exactly 500 of 4 × 250 concurrent 1-credit charges, and counter and ledger both say 500', async () => {
    await withTarget(engine, async (target) => {
      const store = await openTestStore(target)
      const order: WorkerOrder = {
        mode: 'burst',
        target,
        batching,
        clientId: 'shared',
        window: dayWindow(500),
        count: 250,
      }
      const runs = await Promise.all(Array.from({ length: 4 }, () => startWorker(order).exited))
      const granted = runs.map((run) => (JSON.parse(run.stdout.trim()) as { granted: number }).granted)
      expect(granted.reduce((sum, n) => sum + n, 0)).toBe(500)
      const window: StoreWindow = { ...dayWindow(500), limit: 500 }
      expect(await store.status('shared', [window])).toEqual([500])
      expect(await ledgerTotal(store, 'shared')).toBe(500)
      await store.close()
    })
  }, 60_000)

  it('keeps every charge a writer acknowledged before it was killed with SIGKILL mid-load', async () => {
    await withTarget(engine, async (target) => {
      await (await openTestStore(target)).close()
      const { child, exited } = startWorker({
        mode: 'stream',
        target,
        batching,
        clientId: 'victim',
        window: dayWindow(null),
        count: 8,
      })
      let acked = 0
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          acked += chunk.toString().split('ack\n').length - 1
          if (acked >= 300 && child.kill('SIGKILL')) resolve()
        })
        exited.then(() => reject(new Error('the worker stopped before it was killed')), reject)
      })
      await exited.catch(() => undefined)
      const store = await openTestStore(target)
      const total = await ledgerTotal(store, 'victim')
      const [counter] = await store.status('victim', [
        { ...dayWindow(null), limit: Number.POSITIVE_INFINITY },
      ])
      await store.close()
      expect(acked).toBeGreaterThanOrEqual(300)
      expect(total).toBeGreaterThanOrEqual(acked)
      expect(counter).toBe(total)
    })
  }, 60_000)
})

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
    await withTarget(engine, async (target) => {
      await (await openTestStore(target)).close()
      const clients = Array.from({ length: 24 }, (_, i) => `client-${String(i).padStart(2, '0')}`)
      const order = (clients: string[]): WorkerOrder => ({
        mode: 'sweep',
        target,
        clientId: '',
        clients,
        rounds: 4,
        window: dayWindow(null),
        count: 16,
      })
      const deadlocksBefore = await serverDeadlocks(engine)
      const runs = await Promise.all([
        startWorker(order(clients)).exited,
        startWorker(order([...clients].reverse())).exited,
      ])
      // Retries would hide deadlocks from the callers; the server's own count does not.
      expect(await serverDeadlocks(engine)).toBe(deadlocksBefore)
      const granted = runs.map((run) => (JSON.parse(run.stdout.trim()) as { granted: number }).granted)
      expect(granted).toEqual([16 * 4 * 24, 16 * 4 * 24])
      const store = await openTestStore(target)
      const window: StoreWindow = { ...dayWindow(null), limit: Number.POSITIVE_INFINITY }
      for (const clientId of clients) {
        expect(await store.status(clientId, [window])).toEqual([2 * 16 * 4])
        expect(await ledgerTotal(store, clientId)).toBe(2 * 16 * 4)
      }
      await store.close()
    })
  }, 60_000)
})
