import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { ApiBilling, InvalidArgumentError } from '@x/api-billing-core'
import { createDemoApp, type DemoTestClock } from './create-demo-app.js'
import { createStore } from './create-store.js'
import { loadDemoPlans } from './demo-plans.js'

const appDir = fileURLToPath(new URL('../..', import.meta.url))
const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'

const testClock = await testClockFrom(process.env.DEMO_CLOCK_START)
const plans = await loadDemoPlans(process.env.PLANS_FILE ?? `${appDir}/plans.json`)
const { store, description } = await createStore(process.env, appDir)
await store.init()
const billing = new ApiBilling({ store, ...(testClock === undefined ? {} : { clock: testClock.now }) })
for (const client of plans.clients) {
  await billing.updateClientQuotas(client.apiKey, plans.plans.get(client.plan) ?? [])
}

const app = createDemoApp({
  billing,
  plans,
  adminToken: process.env.ADMIN_TOKEN,
  webRoot: `${appDir}/dist/web`,
  ...(testClock === undefined ? {} : { testClock }),
})
const server = app.listen(port, host)
await once(server, 'listening')
console.log(`API Billing demo on http://${host}:${port} — usage in ${description}`)
console.log(`Clients: ${plans.clients.map((c) => `${c.apiKey} (${c.plan})`).join(', ')}`)
if (testClock !== undefined) {
  console.log(`Test clock at ${testClock.now().toISOString()}: PUT /api/test/clock moves it (tests only)`)
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
