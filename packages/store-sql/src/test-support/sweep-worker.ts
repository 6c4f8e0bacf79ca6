/**
 * A child process of the lock-order test, run from the built `dist/`:
 *
 *   node dist/test-support/sweep-worker.js '<SweepOrder as JSON>'
 *
 * `loops` concurrent loops each charge every client of `clients` once, in that order, starting at a
 * different client, `rounds` times, 1 credit on an unlimited window; prints `{"granted":n}`. Any failure
 * (a deadlock surfacing, say) ends the worker with an error.
 */
import { writeAllSync } from '@x/api-billing-core/testing'
import { SWEEP_WINDOW } from './sweep-window.js'
import { openTestStore, type TestTarget } from './test-databases.js'

/** What the parent asks a sweep worker to do. */
export interface SweepOrder {
  readonly target: TestTarget
  readonly clients: readonly string[]
  readonly rounds: number
  readonly loops: number
}

async function main(order: SweepOrder): Promise<void> {
  const store = await openTestStore(order.target)
  const { clients } = order
  let granted = 0
  const loop = async (offset: number) => {
    for (let round = 0; round < order.rounds; round++) {
      for (let i = 0; i < clients.length; i++) {
        const clientId = clients[(offset + i) % clients.length] as string
        const result = await store.charge({
          clientId,
          windows: [SWEEP_WINDOW],
          cost: 1,
          at: SWEEP_WINDOW.start,
        })
        if (result.allowed) granted++
      }
    }
  }
  await Promise.all(Array.from({ length: order.loops }, (_, offset) => loop(offset)))
  writeAllSync(1, `${JSON.stringify({ granted })}\n`)
  await store.close()
}

main(JSON.parse(process.argv[2] ?? '{}') as SweepOrder).catch((error: unknown) => {
  writeAllSync(2, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
