import { afterAll, expect, it } from '@jest/globals'
import { StoreUnavailableError, type StoreWindow } from '@x/api-billing-core'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import { type RedisServerProcess, startRedisServer } from './test-support/redis-server-process.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const DAY: StoreWindow = { duration: 'day', start: T0 - 43_200_000, end: T0 + 43_200_000, limit: 1_000_000 }
const LOOPS = 4
const AOF_ALWAYS = ['--appendonly', 'yes', '--appendfsync', 'always']
let server: RedisServerProcess | undefined

afterAll(async () => {
  await server?.stop('SIGKILL')
})

/** Waits (yielding to the event loop, bounded by a deadline) until `condition` holds. */
async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

it('fails calls with StoreUnavailableError while Redis is down, recovers by itself, and loses nothing acknowledged', async () => {
  server = await startRedisServer({ args: AOF_ALWAYS })
  const { port, dir } = server
  const warnings: string[] = []
  const store = await createRedisUsageStore({ url: server.url, onWarning: (w) => warnings.push(w) })
  expect(warnings).toEqual([])

  let acked = 0
  let failures = 0
  let firstFailure: unknown
  let allUnavailable = true
  let stop = false
  const loops = Array.from({ length: LOOPS }, async () => {
    while (!stop) {
      try {
        if ((await store.charge({ clientId: 'c', windows: [DAY], cost: 1, at: T0 })).allowed) acked++
      } catch (error) {
        failures++
        firstFailure ??= error
        if (!(error instanceof StoreUnavailableError)) allUnavailable = false
        // A failing call rejects at once; yield to the event loop so the client can reconnect.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
  })

  await until(() => acked >= 200, '200 charges were acknowledged')
  await server.stop('SIGKILL', true)
  const failuresAtKill = failures
  await until(() => failures >= failuresAtKill + LOOPS, 'every loop saw the server down')
  const ackedWhileDown = acked

  server = await startRedisServer({ port, dir, args: AOF_ALWAYS })
  await until(() => acked >= ackedWhileDown + 200, '200 more charges were acknowledged after the restart')
  stop = true
  await Promise.all(loops)

  expect(allUnavailable).toBe(true)
  expect((firstFailure as StoreUnavailableError).cause).toBeDefined()
  expect(warnings.some((w) => w.includes('connection error'))).toBe(true)
  const [used] = await store.status('c', [DAY])
  const buckets = await store.readUsage({ clientId: 'c', from: 0, to: DAY.end })
  const ledger = buckets.reduce((sum, b) => sum + b.credits, 0)
  // Every acknowledged charge survived the kill (AOF, fsync always); one in flight at the kill may
  // have been applied without an answer.
  expect(used).toBeGreaterThanOrEqual(acked)
  expect(used).toBeLessThanOrEqual(acked + LOOPS)
  expect(ledger).toBe(used)
  await store.close()
}, 60_000)
