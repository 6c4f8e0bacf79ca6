import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { StoreWindow, UsageStore } from '@x/api-billing-core'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import type { WorkerOrder } from './test-support/charge-worker.js'
import { clusterNodes, deleteKeysWithPrefix, freshPrefix, redisUrl } from './test-support/test-redis.js'

// The workers run the compiled package; the package's `test` script builds it first (`tsc -b && jest`).
const WORKER = join(__dirname, '..', 'dist', 'test-support', 'charge-worker.js')
const DAY = 86_400_000
const WINDOW_START = Date.UTC(2026, 0, 15)

type Target = { readonly cluster: boolean }

function dayWindow(limit: number | null): WorkerOrder['window'] {
  return { duration: 'day', start: WINDOW_START, end: WINDOW_START + DAY, limit }
}

function where(target: Target): Pick<WorkerOrder, 'url' | 'clusterNodes'> {
  return target.cluster ? { clusterNodes: clusterNodes() } : { url: redisUrl() }
}

function openStore(target: Target, keyPrefix: string): Promise<UsageStore> {
  const common = { keyPrefix, onWarning: () => undefined }
  return target.cluster
    ? createRedisUsageStore({ ...common, clusterNodes: clusterNodes() })
    : createRedisUsageStore({ ...common, url: redisUrl() })
}

function startWorker(order: WorkerOrder): {
  child: ChildProcess
  exited: Promise<{ stdout: string; code: number | null }>
} {
  if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: build the package first (pnpm build)`)
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

async function withPrefix(target: Target, test: (keyPrefix: string) => Promise<void>): Promise<void> {
  const keyPrefix = freshPrefix('mp')
  try {
    await test(keyPrefix)
  } finally {
    await deleteKeysWithPrefix(keyPrefix, target.cluster)
  }
}

describe.each([
  ['standalone Redis', { cluster: false }],
  ['a 3-master Redis Cluster', { cluster: true }],
] as const)('%s shared by several processes', (_, target) => {
  it('grants exactly 500 of 4 × 250 concurrent 1-credit charges, and counter and ledger both say 500', async () => {
    await withPrefix(target, async (keyPrefix) => {
      const order: WorkerOrder = {
        mode: 'burst',
        ...where(target),
        keyPrefix,
        clientId: 'shared',
        window: dayWindow(500),
        count: 250,
      }
      const runs = await Promise.all(Array.from({ length: 4 }, () => startWorker(order).exited))
      const granted = runs.map((run) => (JSON.parse(run.stdout.trim()) as { granted: number }).granted)
      expect(granted.reduce((sum, n) => sum + n, 0)).toBe(500)
      const store = await openStore(target, keyPrefix)
      const window: StoreWindow = { ...dayWindow(500), limit: 500 }
      expect(await store.status('shared', [window])).toEqual([500])
      expect(await ledgerTotal(store, 'shared')).toBe(500)
      await store.close()
    })
  }, 60_000)

  it('keeps every charge a writer acknowledged before it was killed with SIGKILL mid-load', async () => {
    await withPrefix(target, async (keyPrefix) => {
      const { child, exited } = startWorker({
        mode: 'stream',
        ...where(target),
        keyPrefix,
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
      const store = await openStore(target, keyPrefix)
      const total = await ledgerTotal(store, 'victim')
      const [counter] = await store.status('victim', [
        { ...dayWindow(null), limit: Number.POSITIVE_INFINITY },
      ])
      await store.close()
      expect(acked).toBeGreaterThanOrEqual(300)
      expect(total).toBeGreaterThanOrEqual(acked)
      expect(counter).toBe(total)
    })
  }, 30_000)
})
