import { rmSync } from 'node:fs'
import { afterAll, expect, it } from '@jest/globals'
import { StoreUnavailableError, type StoreWindow } from '@x/api-billing-core'
import { MongoUsageStore } from './mongo-usage-store.js'
import { Tally } from './test-support/tally.js'
import { type FerretdbServer, resolveFerretdbBinary, startFerretdb } from './testing/index.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const DAY: StoreWindow = { duration: 'day', start: T0 - 43_200_000, end: T0 + 43_200_000, limit: 1_000_000 }
const LOOPS = 4
/** About 2-6 s alone on this machine (two FerretDB starts, a kill, 200 acknowledged charges); 10x that. */
const TIMEOUT_MS = 60_000
/** Each wait fails the test after this (three waits and a 20 s start fit in the timeout), stopping the loops. */
const WAIT_MS = 12_000
let server: FerretdbServer | undefined
/** Closed after the test even when it fails: an open client keeps jest from exiting. */
let opened: MongoUsageStore | undefined

afterAll(async () => {
  await opened?.close()
  await server?.stop('SIGKILL')
  if (server) rmSync(server.dataDir, { recursive: true, force: true })
})

it(
  'fails requests with StoreUnavailableError while the server is down, loses nothing acknowledged, and resumes',
  async () => {
    const bin = process.env.API_BILLING_FERRETDB_BIN ?? resolveFerretdbBinary()
    server = await startFerretdb(bin)
    const { port, dataDir } = server
    const store = MongoUsageStore.fromUrl(server.url, {
      dbName: 'restart',
      leaseMs: 1_000,
      clientOptions: { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 },
    })
    opened = store
    await store.init()

    const acked = new Tally()
    const failed = new Tally()
    const errors: unknown[] = []
    let stop = false
    const loops = Array.from({ length: LOOPS }, async () => {
      while (!stop) {
        try {
          const result = await store.charge({ clientId: 'c', windows: [DAY], cost: 1, at: T0 })
          if (result.allowed) acked.add()
        } catch (error) {
          errors.push(error)
          failed.add()
        }
      }
    })

    try {
      await acked.reach(100, WAIT_MS, 'acknowledged charges before the kill')
      await server.stop('SIGKILL')
      await failed.reach(failed.count + LOOPS, WAIT_MS, 'failed charges after the kill')
      const ackedWhileDown = acked.count

      server = await startFerretdb(bin, { port, dataDir })
      await acked.reach(ackedWhileDown + 100, WAIT_MS, 'acknowledged charges after the restart')
    } catch (error) {
      const last = errors.at(-1)
      throw new Error(`${String(error)}; last store error: ${last instanceof Error ? last.stack : 'none'}`)
    } finally {
      // Also when a wait above fails or times out: loops left running would keep jest from exiting.
      stop = true
      await Promise.all(loops)
    }

    expect(errors.length).toBeGreaterThanOrEqual(LOOPS)
    for (const error of errors) expect(error).toBeInstanceOf(StoreUnavailableError)
    expect((errors[0] as StoreUnavailableError).cause).toBeDefined()

    const [used] = await store.status('c', [DAY])
    const buckets = await store.readUsage({ clientId: 'c', from: 0, to: T0 + DAY.end })
    const ledger = buckets.reduce((sum, b) => sum + b.credits, 0)
    // Acknowledged charges all survived; a request in flight at the kill may have committed unacknowledged.
    expect(used).toBeGreaterThanOrEqual(acked.count)
    expect(used).toBeLessThanOrEqual(acked.count + LOOPS)
    expect(ledger).toBeGreaterThanOrEqual(acked.count)
    expect(ledger).toBeLessThanOrEqual(used as number)
  },
  TIMEOUT_MS,
)
