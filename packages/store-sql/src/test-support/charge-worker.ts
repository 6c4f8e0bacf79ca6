/**
 * A child process for the multi-process tests, run from the built `dist/`:
 *
 *   node dist/test-support/charge-worker.js '<WorkerOrder as JSON>'
 *
 * `burst`: opens the store, fires `count` concurrent charges of 1 credit and prints one line
 * `{"granted":n}`. `stream`: charges 1 credit over and over with `count` loops and writes `ack`
 * (synchronously, to stdout) after each charge the store has answered as allowed, until killed.
 * `sweep`: `count` loops each charge every client of `clients` once, in that order, starting at a
 * different client, `rounds` times; prints `{"granted":n}` (any failure ends the worker with an error).
 */
import { writeSync } from 'node:fs'
import type { StoreWindow } from '@x/api-billing-core'
import { openTestStore, type TestTarget } from './test-databases.js'

/** What the parent asks a worker to do. */
export interface WorkerOrder {
  readonly mode: 'burst' | 'stream' | 'sweep'
  readonly target: TestTarget
  /** The store's `batching` option. Default: the store's default (on). */
  readonly batching?: boolean
  /** The client charged (`burst`, `stream`). */
  readonly clientId: string
  /** The clients swept, in this worker's order (`sweep`). */
  readonly clients?: readonly string[]
  /** How often each loop sweeps the clients (`sweep`). */
  readonly rounds?: number
  /** The one window charged; `limit: null` means unlimited. */
  readonly window: Omit<StoreWindow, 'limit'> & { readonly limit: number | null }
  /** Concurrent charges (`burst`) or concurrent loops (`stream`). */
  readonly count: number
}

async function main(order: WorkerOrder): Promise<void> {
  const store = await openTestStore(
    order.target,
    order.batching === undefined ? {} : { batching: order.batching },
  )
  const window: StoreWindow = { ...order.window, limit: order.window.limit ?? Number.POSITIVE_INFINITY }
  const charge = (clientId = order.clientId) =>
    store.charge({ clientId, windows: [window], cost: 1, at: window.start })
  if (order.mode === 'sweep') {
    const clients = order.clients ?? []
    let granted = 0
    const loop = async (offset: number) => {
      for (let round = 0; round < (order.rounds ?? 1); round++) {
        for (let i = 0; i < clients.length; i++) {
          if ((await charge(clients[(offset + i) % clients.length])).allowed) granted++
        }
      }
    }
    await Promise.all(Array.from({ length: order.count }, (_, offset) => loop(offset)))
    writeSync(1, `${JSON.stringify({ granted })}\n`)
    await store.close()
    return
  }
  if (order.mode === 'burst') {
    const results = await Promise.all(Array.from({ length: order.count }, () => charge()))
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
