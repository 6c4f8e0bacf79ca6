import { afterAll, expect, it } from '@jest/globals'
import { type StoredGrant, StoreUnavailableError, type StoreWindow } from '@x/api-billing-core'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import { type RedisServerProcess, startRedisServer } from './test-support/redis-server-process.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const DAY: StoreWindow = { duration: 'day', start: T0 - 43_200_000, end: T0 + 43_200_000, limit: 1_000_000 }
const LOOPS = 4
const AOF_ALWAYS = ['--appendonly', 'yes', '--appendfsync', 'always']
let server: RedisServerProcess | undefined
let creditServer: RedisServerProcess | undefined

afterAll(async () => {
  await server?.stop('SIGKILL')
  await creditServer?.stop('SIGKILL')
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

const PREPAID: StoreWindow = { ...DAY, limit: 0, overflow: 'balance' }

/** A grant of `credits` that anyone may spend at T0, expiring at `expiresAt` (none when undefined). */
function grantOf(id: string, credits: number, expiresAt: number | undefined): StoredGrant {
  return { id, credits, remaining: credits, effectiveAt: 0, expiresAt, grantedAt: 0, note: undefined }
}

it('keeps grants, window and ledger consistent when Redis is killed during credit charges', async () => {
  creditServer = await startRedisServer({ args: AOF_ALWAYS })
  const { port, dir } = creditServer
  const store = await createRedisUsageStore({ url: creditServer.url, onWarning: () => undefined })
  await store.grantCredits({ clientId: 'c', grant: grantOf('first', 300, T0 + 43_200_000) })
  await store.grantCredits({ clientId: 'c', grant: grantOf('second', 1_000_000, undefined) })
  let acked = 0
  let stop = false
  const loops = Array.from({ length: LOOPS }, async () => {
    while (!stop) {
      try {
        const result = await store.charge({ clientId: 'c', windows: [PREPAID], cost: 1, at: T0 })
        if (result.allowed && result.credit?.fromBalance === 1) acked++
      } catch {
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
  })
  // Killed while the first grant runs out, so that charges spend from one grant, then the other.
  await until(() => acked >= 250, '250 credit charges were acknowledged')
  await creditServer.stop('SIGKILL', true)
  creditServer = await startRedisServer({ port, dir, args: AOF_ALWAYS })
  const ackedAtRestart = acked
  await until(() => acked >= ackedAtRestart + 100, '100 more credit charges were acknowledged')
  stop = true
  await Promise.all(loops)

  const [used] = await store.status('c', [PREPAID])
  const [bucket] = await store.readUsage({ clientId: 'c', from: 0, to: DAY.end })
  const left = new Map((await store.listGrants('c', T0)).map((g) => [g.id, g.remaining]))
  const spent = 300 - (left.get('first') ?? 0) + (1_000_000 - (left.get('second') ?? 0))
  expect(used).toBeGreaterThanOrEqual(acked)
  expect(used).toBeLessThanOrEqual(acked + LOOPS)
  expect(bucket).toEqual({ start: T0, credits: used, fromBalance: used, overage: 0 })
  expect(spent).toBe(used)
  expect(left.has('first')).toBe(false)
  expect([...left.values()].every((remaining) => remaining > 0)).toBe(true)
  await store.close()
}, 60_000)
