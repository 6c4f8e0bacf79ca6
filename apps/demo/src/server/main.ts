import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { ApiBilling, InvalidArgumentError } from '@x/api-billing-core'
import { AlertLog } from './alert-log.js'
import { ClientsFile } from './clients-file.js'
import { clientsFileResolver } from './clients-file-resolver.js'
import { createDemoApp, type DemoTestClock, LOW_BALANCE } from './create-demo-app.js'
import { createStore } from './create-store.js'
import { demoConfigFrom } from './demo-config.js'
import { loadDemoPlans, planCatalog } from './demo-plans.js'

const appDir = fileURLToPath(new URL('../..', import.meta.url))
const config = demoConfigFrom(process.env, appDir)

const testClock = await testClockFrom(config.clockStart)
const plans = await loadDemoPlans(config.plansFile)
const clients = new ClientsFile(config.clientsFile)
const seeded = clients.seed(plans.clients)
const { store, description } = await createStore(process.env, appDir)
await store.init()
const alerts = new AlertLog()
const billing = new ApiBilling({
  store,
  plans: planCatalog(plans),
  resolveClient: clientsFileResolver(clients),
  clientCache: { ttlMs: config.clientTtlMs },
  alerts: {
    thresholds: [0.8, 1],
    lowBalance: LOW_BALANCE,
    onThreshold: alerts.onThreshold,
    onLowBalance: alerts.onLowBalance,
  },
  ...(testClock === undefined ? {} : { clock: testClock.now }),
})

for (const grant of plans.grants) {
  const { apiKey, credits, ...options } = grant
  await billing.grantCredits(apiKey, credits, options)
}
// Without ADMIN_TOKEN a random one for this run, printed below: the dashboard's top-up asks for it.
const adminToken = config.adminToken ?? randomBytes(18).toString('base64url')

const app = createDemoApp({
  billing,
  plans,
  clients,
  alerts,
  adminToken,
  webRoot: `${appDir}/dist/web`,
  ...(testClock === undefined ? {} : { testClock }),
})
const server = app.listen(config.port, config.host)
await once(server, 'listening')
const url = urlOf(server.address() as AddressInfo)
console.log(`API Billing demo on ${url} — usage in ${description}`)
console.log(`Plans: ${[...plans.plans.keys()].join(', ')} (${config.plansFile})`)
console.log(
  `Clients ${seeded ? 'seeded into' : 'read from'} ${config.clientsFile}: ${clients
    .list()
    .map((c) => `${c.apiKey} (${c.plan})`)
    .join(', ')}; plans re-read after ${config.clientTtlMs} ms`,
)
console.log(
  config.adminToken === undefined
    ? `Admin token for this run: ${adminToken} (set ADMIN_TOKEN to choose one)`
    : 'Admin routes: Authorization: Bearer $ADMIN_TOKEN',
)
if (testClock !== undefined) {
  console.log(`Test clock at ${testClock.now().toISOString()}: PUT /api/test/clock moves it (tests only)`)
}
// Last, and machine-readable: the tests (and scripts) wait for this line and read the port from it.
console.log(`listening on ${url}`)

/** `http://host:port` of the address the server got (the real port when `PORT=0`). */
function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

/**
 * Test only: with `DEMO_CLOCK_START=<ISO-8601>` the engine's clock is core's `ManualClock`, standing still
 * at that instant until `PUT /api/test/clock` sets it, so tests never straddle a window boundary. Unset
 * (the default): the wall clock, no clock route, and the testing entry point is never loaded.
 */
async function testClockFrom(start: string | undefined): Promise<DemoTestClock | undefined> {
  if (start === undefined || start === '') return undefined
  if (Number.isNaN(Date.parse(start))) {
    throw new InvalidArgumentError('DEMO_CLOCK_START', `not an ISO-8601 instant: ${start}`)
  }
  const { ManualClock } = await import('@x/api-billing-core/testing')
  return new ManualClock(start)
}

let stopping = false
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    console.log(`${signal} again: exiting now`)
    process.exit(1)
  }
  stopping = true
  console.log(`${signal}: finishing in-flight requests, then closing the store`)
  const closed = new Promise<void>((done) => server.close(() => done()))
  server.closeIdleConnections()
  setTimeout(() => server.closeAllConnections(), 10_000).unref()
  await closed
  await store.close()
  console.log('Stopped cleanly')
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
