import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { ApiBilling } from '@x/api-billing-core'
import { createDemoApp } from './create-demo-app.js'
import { createStore } from './create-store.js'
import { loadDemoPlans } from './demo-plans.js'

const appDir = fileURLToPath(new URL('../..', import.meta.url))
const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'

const plans = await loadDemoPlans(process.env.PLANS_FILE ?? `${appDir}/plans.json`)
const { store, description } = await createStore(process.env, appDir)
await store.init()
const billing = new ApiBilling({ store })
for (const client of plans.clients) {
  await billing.updateClientQuotas(client.apiKey, plans.plans.get(client.plan) ?? [])
}

const app = createDemoApp({
  billing,
  plans,
  adminToken: process.env.ADMIN_TOKEN,
  webRoot: `${appDir}/dist/web`,
})
const server = app.listen(port, host)
await once(server, 'listening')
console.log(`API Billing demo on http://${host}:${port} — usage in ${description}`)
console.log(`Clients: ${plans.clients.map((c) => `${c.apiKey} (${c.plan})`).join(', ')}`)

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
