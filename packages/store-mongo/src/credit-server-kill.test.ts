import { rmSync } from 'node:fs'
import { afterAll, expect, it } from '@jest/globals'
import { StoreUnavailableError, type StoreWindow } from '@x/api-billing-core'
import { MongoUsageStore } from './mongo-usage-store.js'
import { Tally } from './test-support/tally.js'
import { type FerretdbServer, resolveFerretdbBinary, startFerretdb } from './testing/index.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const DAY = 86_400_000
/** A month window with no room of its own: every credit of every charge is paid from the grants. */
const PREPAID: StoreWindow = {
  duration: 'month',
  start: T0 - 14 * DAY,
  end: T0 + 17 * DAY,
  limit: 0,
  overflow: 'balance',
}
const GRANTED = 1_000_000
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
  'a server killed under credit charges leaves every grant spent exactly by what the windows counted',
  async () => {
    const bin = process.env.API_BILLING_FERRETDB_BIN ?? resolveFerretdbBinary()
    server = await startFerretdb(bin)
    const { port, dataDir } = server
    const store = MongoUsageStore.fromUrl(server.url, {
      dbName: 'credit_kill',
      leaseMs: 1_000,
      clientOptions: { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 },
    })
    opened = store
    await store.init()
    const grant = (id: string, expiresAt: number | undefined) => ({
      clientId: 'c',
      grant: {
        id,
        credits: GRANTED,
        remaining: GRANTED,
        effectiveAt: 0,
        expiresAt,
        grantedAt: 0,
        note: undefined,
      },
    })
    await store.grantCredits(grant('soon', T0 + DAY))
    await store.grantCredits(grant('later', undefined))

    const acked = new Tally()
    const failed = new Tally()
    const errors: unknown[] = []
    let stop = false
    const loops = Array.from({ length: LOOPS }, async (_, i) => {
      while (!stop) {
        try {
          // Costs 1 to 4: charges spend across the two grants once the first runs low.
          const result = await store.charge({ clientId: 'c', windows: [PREPAID], cost: i + 1, at: T0 })
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
      server = await startFerretdb(bin, { port, dataDir })
      await acked.reach(acked.count + 100, WAIT_MS, 'acknowledged charges after the restart')
    } catch (error) {
      const last = errors.at(-1)
      throw new Error(`${String(error)}; last store error: ${last instanceof Error ? last.stack : 'none'}`)
    } finally {
      stop = true
      await Promise.all(loops)
    }
    for (const error of errors) expect(error).toBeInstanceOf(StoreUnavailableError)

    const [used] = (await store.status('c', [PREPAID])) as [number]
    const left = (await store.listGrants('c', T0)).reduce((sum, g) => sum + g.remaining, 0)
    const buckets = await store.readUsage({ clientId: 'c', from: 0, to: T0 + DAY })
    const ledger = buckets.reduce((sum, b) => sum + b.fromBalance, 0)
    // Windows and grants change in one document write: whatever the kill cut, they agree exactly.
    expect(2 * GRANTED - left).toBe(used)
    expect(used).toBeGreaterThanOrEqual(acked.count)
    // The ledger is a second write: it may miss the charges in flight at the kill, never more.
    expect(ledger).toBeLessThanOrEqual(used)
    expect(ledger).toBeGreaterThanOrEqual(used - LOOPS * LOOPS)
  },
  TIMEOUT_MS,
)
