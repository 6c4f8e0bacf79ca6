/**
 * A child process for the multi-process tests, run from the built `dist/`:
 *
 *   node dist/test-support/charge-worker.js '<WorkerOrder as JSON>'
 *
 * `burst`: opens the store, fires `count` concurrent charges of 1 credit and prints one line
 * `{"granted":n}`. `stream`: charges 1 credit over and over with `parallel` loops and writes `ack`
 * (synchronously, to stdout) after each charge the store has answered as allowed, until killed.
 */
import { writeSync } from 'node:fs'
import type { StoreWindow } from '@x/api-billing-core'
import { openTestStore, type TestTarget } from './test-databases.js'

/** What the parent asks a worker to do. */
export interface WorkerOrder {
  readonly mode: 'burst' | 'stream'
  readonly target: TestTarget
  readonly clientId: string
  /** The one window charged; `limit: null` means unlimited. */
  readonly window: Omit<StoreWindow, 'limit'> & { readonly limit: number | null }
  /** Concurrent charges (`burst`) or concurrent loops (`stream`). */
  readonly count: number
}

async function main(order: WorkerOrder): Promise<void> {
  const store = await openTestStore(order.target)
  const window: StoreWindow = { ...order.window, limit: order.window.limit ?? Number.POSITIVE_INFINITY }
  const charge = () =>
    store.charge({ clientId: order.clientId, windows: [window], cost: 1, at: window.start })
  if (order.mode === 'burst') {
    const results = await Promise.all(Array.from({ length: order.count }, charge))
    writeSync(1, `${JSON.stringify({ granted: results.filter((r) => r.allowed).length })}\n`)
    await store.close()
    return
  }
  writeSync(1, 'ready\n')
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
