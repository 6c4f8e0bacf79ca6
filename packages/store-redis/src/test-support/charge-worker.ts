/**
 * A child process for the multi-process tests, run from the built `dist/`:
 *
 *   node dist/test-support/charge-worker.js '<WorkerOrder as JSON>'
 *
 * `burst`: opens the store, fires `count` concurrent 1-credit charges and prints one line
 * `{"granted":n}`. `stream`: charges 1 credit over and over with `count` concurrent loops and writes
 * `ack` (synchronously, to stdout) after each charge the store answered as allowed, until killed.
 */
import { writeSync } from 'node:fs'
import type { StoreWindow } from '@x/api-billing-core'
import { createRedisUsageStore } from '../create-redis-usage-store.js'

/** What the parent asks a worker to do. */
export interface WorkerOrder {
  readonly mode: 'burst' | 'stream'
  /** A standalone server, or else `clusterNodes`. */
  readonly url?: string
  readonly clusterNodes?: readonly string[]
  readonly keyPrefix: string
  readonly clientId: string
  /** The one window charged; `limit: null` means unlimited. */
  readonly window: Omit<StoreWindow, 'limit'> & { readonly limit: number | null }
  /** Concurrent charges (`burst`) or concurrent loops (`stream`). */
  readonly count: number
}

async function main(order: WorkerOrder): Promise<void> {
  const common = { keyPrefix: order.keyPrefix, onWarning: () => undefined }
  const store =
    order.url === undefined
      ? await createRedisUsageStore({ ...common, clusterNodes: order.clusterNodes ?? [] })
      : await createRedisUsageStore({ ...common, url: order.url })
  const window: StoreWindow = { ...order.window, limit: order.window.limit ?? Number.POSITIVE_INFINITY }
  const charge = () =>
    store.charge({ clientId: order.clientId, windows: [window], cost: 1, at: window.start })
  if (order.mode === 'burst') {
    const results = await Promise.all(Array.from({ length: order.count }, charge))
    writeSync(1, `${JSON.stringify({ granted: results.filter((r) => r.allowed).length })}\n`)
    await store.close()
    return
  }
  const loop = async () => {
    for (;;) {
      const result = await charge()
      if (result.allowed) writeSync(1, 'ack\n')
    }
  }
  await Promise.all(Array.from({ length: order.count }, loop))
}

main(JSON.parse(process.argv[2] ?? '{}') as WorkerOrder).catch((error: unknown) => {
  writeSync(2, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
