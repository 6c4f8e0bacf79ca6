/**
 * A bench HTTP server in its own process: `node dist/http-server.js <variant>` serves `GET /api` with a
 * small JSON body behind the chosen rate limiter and prints `{"port":…}` once it listens.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiBilling, MemoryUsageStore, type UsageStore } from '@x/api-billing-core'
import { billingMiddleware } from '@x/api-billing-express'
import { createRedisUsageStore } from '@x/api-billing-store-redis'
import { createSqliteUsageStore } from '@x/api-billing-store-sql'
import express, { type RequestHandler } from 'express'
import { rateLimit, type Store } from 'express-rate-limit'
import { RedisStore } from 'rate-limit-redis'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import { createClient } from 'redis'
import { HTTP_CLIENT_KEY, type HttpVariant, isHttpVariant } from './http-variants.js'
import { redisUrl, uniqueName } from './server-urls.js'
import { benchPlan, LIMIT } from './workload.js'

/** What to release when the bench stops this server (the SQLite variant's file). */
const onStop: (() => Promise<void>)[] = []

const apiKey: (req: express.Request) => string = (req) => req.get('x-api-key') ?? ''

async function ours(store: UsageStore, headers = true): Promise<RequestHandler> {
  const billing = new ApiBilling({ store })
  await billing.updateClientQuotas(HTTP_CLIENT_KEY, benchPlan(1))
  return billingMiddleware(billing, {
    clientId: (req) => req.get('x-api-key'),
    ...(headers ? {} : { headers: { standard: false, legacy: false } }),
  })
}

/** rate-limiter-flexible's documented Express middleware (its README), with a memory limiter. */
function rateLimiterFlexibleMemory(): RequestHandler {
  const limiter = new RateLimiterMemory({ points: LIMIT, duration: 60 })
  return (req, res, next) => {
    limiter
      .consume(apiKey(req))
      .then(() => next())
      .catch(() => res.status(429).send('Too Many Requests'))
  }
}

/** express-rate-limit with rate-limit-redis on its own node-redis client, as their READMEs show. */
async function expressRateLimitRedis(): Promise<RequestHandler> {
  const client = createClient({ url: redisUrl() })
  client.on('error', () => undefined)
  await client.connect()
  const prefix = `${uniqueName('bench_erl')}:`
  onStop.push(async () => {
    await client.del(`${prefix}${HTTP_CLIENT_KEY}`)
    await client.close()
  })
  return expressRateLimit(
    new RedisStore({ prefix, sendCommand: (...args: string[]) => client.sendCommand(args) }),
  )
}

/** express-rate-limit as its README sets it up: draft-8 and legacy headers, on its memory store or `store`. */
function expressRateLimit(store?: Store): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: true,
    keyGenerator: apiKey,
    ...(store === undefined ? {} : { store }),
  })
}

async function limiterFor(variant: HttpVariant): Promise<RequestHandler | undefined> {
  switch (variant) {
    case 'express':
      return undefined
    case 'ours-memory':
      return ours(new MemoryUsageStore())
    case 'ours-memory-no-headers':
      return ours(new MemoryUsageStore(), false)
    case 'ours-sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'api-billing-bench-http-'))
      const store = await createSqliteUsageStore(join(dir, 'usage.db'))
      onStop.push(async () => {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      })
      return ours(store)
    }
    case 'express-rate-limit':
      return expressRateLimit()
    case 'rlf-memory':
      return rateLimiterFlexibleMemory()
    case 'ours-redis': {
      const keyPrefix = `${uniqueName('bench_http')}:`
      const store = await createRedisUsageStore({ url: redisUrl(), keyPrefix, onWarning: () => {} })
      onStop.push(async () => {
        await store.deleteUsage({ clientId: HTTP_CLIENT_KEY })
        await store.close()
      })
      return ours(store)
    }
    case 'express-rate-limit-redis':
      return expressRateLimitRedis()
  }
}

const variant = process.argv[2]
if (!isHttpVariant(variant)) {
  process.stderr.write(`usage: http-server.js <variant>; got ${variant}\n`)
  process.exit(2)
}
const app = express()
app.disable('x-powered-by')
const limiter = await limiterFor(variant)
const handler: RequestHandler = (_req, res) => {
  res.json({ ok: true })
}
if (limiter === undefined) app.get('/api', handler)
else app.get('/api', limiter, handler)
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  )
})
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(async () => {
    for (const stop of onStop) await stop().catch(() => undefined)
    process.exit(0)
  })
})
