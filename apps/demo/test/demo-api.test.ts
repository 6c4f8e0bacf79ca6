import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { DailyUsageBody, QuotaStatusBody } from '@x/api-billing-core'
import { parseList } from 'structured-headers'
import { ADMIN_TOKEN, DemoAdmin } from './demo-admin.js'
import {
  type DemoServer,
  removeDataDir,
  START_DEADLINE_MS,
  startDemoServer,
  TEST_CLOCK_START,
} from './demo-server.js'

// Measured on the 2-core machine at load ~2: server start 0.4–0.6 s, each API test 12–122 ms, the
// restart test 0.8–1.2 s, the other process tests 0.4–0.6 s. At load ~5 (beside other work): API tests
// 16–147 ms, the restart test 1.4–2.8 s, the two-instance test (two starts) 1.5–3.3 s, the other process
// tests 0.6–1.7 s. Every timeout is far above 3× that, and above the start-up deadline (twice for the
// restart test and the two-instance test, which start two servers), so a server that does not start
// fails with its output rather than with a jest timeout.
const API_TEST_MS = 5_000
const PROCESS_TEST_MS = 3 * START_DEADLINE_MS
const HOOK_MS = START_DEADLINE_MS + 10_000
const TWO_PROCESS_TEST_MS = 2 * PROCESS_TEST_MS
/** The demo servers' `DEMO_CLIENT_TTL_MS` in the two-instance test: on their test clocks, so never waited for. */
const CLIENT_TTL_MS = 300

let server: DemoServer
let admin: DemoAdmin

beforeAll(async () => {
  server = await startDemoServer({ ADMIN_TOKEN, DEMO_CLOCK_START: TEST_CLOCK_START })
  admin = new DemoAdmin(server.url)
}, HOOK_MS)

afterAll(async () => {
  if (server === undefined) return
  expect(await server.stop()).toBe(0)
  removeDataDir(server.dataDir)
}, HOOK_MS)

// Every test starts at the same instant and, when it charges, on a client of its own: any order works.
beforeEach(async () => {
  await admin.setClock(TEST_CLOCK_START)
}, API_TEST_MS)

function get(path: string, apiKey?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: apiKey === undefined ? {} : { 'X-API-Key': apiKey } })
}

async function getJson<T>(path: string, apiKey?: string): Promise<T> {
  const response = await get(path, apiKey)
  expect(response.status).toBe(200)
  return (await response.json()) as T
}

/** The `RateLimit` header as `{ window: [remaining, seconds to reset] }`. */
function rateLimit(response: Response): Record<string, [number, number]> {
  const items = parseList(response.headers.get('ratelimit') ?? '')
  return Object.fromEntries(
    items.map(([name, params]) => [String(name), [Number(params.get('r')), Number(params.get('t'))]]),
  )
}

const epochSeconds = (iso: string) => String(Date.parse(iso) / 1000)

/** The quota status of `apiKey` on the demo server `on`; expects a 200. */
async function quotaOn(on: DemoServer, apiKey: string): Promise<QuotaStatusBody> {
  const response = await fetch(`${on.url}/api/billing/quota`, { headers: { 'X-API-Key': apiKey } })
  expect(response.status).toBe(200)
  return (await response.json()) as QuotaStatusBody
}

describe('the demo API', () => {
  it(
    'answers 401 without an API key and 403 for an unknown one, as problem+json',
    async () => {
      const missing = await get('/api/fetch-data')
      expect(missing.status).toBe(401)
      expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/)
      const unknown = await get('/api/fetch-data', 'not-a-key')
      expect(unknown.status).toBe(403)
      expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/)
    },
    API_TEST_MS,
  )

  it(
    'seeds the clients file from plans.json and serves the seeded clients on their plans',
    async () => {
      const { clients } = await getJson<{ clients: { apiKey: string; plan: string }[] }>('/api/demo/clients')
      // Other tests add clients of their own, always after these.
      expect(clients.slice(0, 5).map((c) => [c.apiKey, c.plan])).toEqual([
        ['demo-free', 'free'],
        ['demo-pro', 'pro'],
        ['demo-unlimited', 'unlimited'],
        ['demo-prepaid', 'prepaid'],
        ['demo-metered', 'metered'],
      ])
      const pro = await getJson<QuotaStatusBody>('/api/billing/quota', 'demo-pro')
      expect(pro.at).toBe(TEST_CLOCK_START)
      // The month is anchored on the 31st in Berlin: it renews at local midnight of Mar 31 (CEST, +02:00).
      expect(pro.windows.map((w) => [w.duration, w.limit, w.used, w.resetAt])).toEqual([
        ['minute', 60, 0, '2026-03-10T12:01:00.000Z'],
        ['month', 5_000, 0, '2026-03-30T22:00:00.000Z'],
      ])
    },
    API_TEST_MS,
  )

  it(
    'charges 1 credit for fetch-data and 5 for fetch-expensive-data, with both header sets',
    async () => {
      await admin.setPlan('charges-pro', 'pro')
      const cheap = await get('/api/fetch-data', 'charges-pro')
      expect(cheap.status).toBe(200)
      expect(await cheap.json()).toEqual({ data: 'Some cheap data', charged: 1 })
      expect(rateLimit(cheap)).toEqual({ minute: [59, 45], month: [4_999, 1_763_985] })
      // w is the current window's length: Feb 28 00:00 CET to Mar 31 00:00 CEST, 31 days less an hour.
      expect(cheap.headers.get('ratelimit-policy')).toBe('"minute";q=60;w=60, "month";q=5000;w=2674800')
      expect(cheap.headers.get('x-ratelimit-limit')).toBe('60')
      expect(cheap.headers.get('x-ratelimit-remaining')).toBe('59')
      expect(cheap.headers.get('x-ratelimit-reset')).toBe(epochSeconds('2026-03-10T12:01:00Z'))
      const expensive = await get('/api/fetch-expensive-data', 'charges-pro')
      expect(expensive.status).toBe(200)
      expect(await expensive.json()).toEqual({ data: 'Some expensive data', charged: 5 })
      expect(rateLimit(expensive)).toEqual({ minute: [54, 45], month: [4_994, 1_763_985] })
    },
    API_TEST_MS,
  )

  it(
    'answers 429 with Retry-After once the free minute is spent, charges nothing more, renews next minute',
    async () => {
      await admin.setPlan('exhausts-free', 'free')
      for (let i = 0; i < 2; i++) {
        expect((await get('/api/fetch-expensive-data', 'exhausts-free')).status).toBe(200)
      }
      const limited = await get('/api/fetch-data', 'exhausts-free')
      expect(limited.status).toBe(429)
      expect(limited.headers.get('retry-after')).toBe('45')
      const problem = (await limited.json()) as { violatedWindows: { duration: string }[]; cost: number }
      expect(problem.cost).toBe(1)
      expect(problem.violatedWindows.map((w) => w.duration)).toEqual(['minute'])
      const status = await getJson<QuotaStatusBody>('/api/billing/quota', 'exhausts-free')
      expect(status.windows.map((w) => [w.duration, w.used])).toEqual([
        ['minute', 10],
        ['day', 10],
      ])

      await admin.setClock('2026-03-10T12:01:00.000Z')
      const renewed = await get('/api/fetch-data', 'exhausts-free')
      expect(renewed.status).toBe(200)
      expect(rateLimit(renewed)).toEqual({ minute: [9, 60], day: [89, 43_140] })
    },
    API_TEST_MS,
  )

  it(
    'reports usage per day on the daily route, on the server’s clock',
    async () => {
      await admin.setPlan('daily-unlimited', 'unlimited')
      expect((await get('/api/fetch-data', 'daily-unlimited')).status).toBe(200)
      expect((await get('/api/fetch-expensive-data', 'daily-unlimited')).status).toBe(200)
      await admin.setClock('2026-03-11T08:00:00.000Z')
      expect((await get('/api/fetch-data', 'daily-unlimited')).status).toBe(200)
      const body = await getJson<DailyUsageBody>('/api/billing/usage/daily', 'daily-unlimited')
      expect(body.total).toBe(7)
      expect(body.days.slice(-3)).toEqual([
        { date: '2026-03-09', credits: 0, fromBalance: 0, overage: 0 },
        { date: '2026-03-10', credits: 6, fromBalance: 0, overage: 0 },
        { date: '2026-03-11', credits: 1, fromBalance: 0, overage: 0 },
      ])
    },
    API_TEST_MS,
  )

  it(
    'changes a plan at run time through the admin route, guarded by the token',
    async () => {
      const path = '/api/admin/clients/plan-changes/plan'
      expect((await admin.put(path, { plan: 'unlimited' }, null)).status).toBe(403)
      expect((await admin.put(path, { plan: 'unlimited' }, 'wrong')).status).toBe(403)
      const sameLength = `${ADMIN_TOKEN.slice(0, -1)}X`
      expect((await admin.put(path, { plan: 'unlimited' }, sameLength)).status).toBe(403)
      expect((await get('/api/fetch-data', 'plan-changes')).status).toBe(403)
      expect((await admin.put(path, { plan: 'platinum' })).status).toBe(400)
      expect((await admin.put(path, { quotas: [{ duration: 'minute', creditLimit: -1 }] })).status).toBe(400)
      await admin.setPlan('plan-changes', 'free')
      expect((await get('/api/fetch-data', 'plan-changes')).headers.get('ratelimit-policy')).toBe(
        '"minute";q=10;w=60, "day";q=100;w=86400',
      )
      const inline = await admin.put(path, { quotas: [{ duration: 'minute', creditLimit: 1000 }] })
      expect(inline.status).toBe(200)
      const next = await get('/api/fetch-data', 'plan-changes')
      expect(next.status).toBe(200)
      expect(next.headers.get('ratelimit-policy')).toBe('"minute";q=1000;w=60')
      // Usage is kept across the change: 1 credit before it, 1 after.
      expect(rateLimit(next)).toEqual({ minute: [998, 45] })
    },
    API_TEST_MS,
  )

  it(
    'writes plan changes into the clients file, which the dashboard lists',
    async () => {
      await admin.setPlan('listed-pro', 'pro')
      const path = '/api/admin/clients/listed-custom/plan'
      expect((await admin.put(path, { quotas: [{ duration: 'hour', creditLimit: 7 }] })).status).toBe(200)
      const file = JSON.parse(readFileSync(join(server.dataDir, 'clients.json'), 'utf8'))
      expect(file.clients['listed-pro']).toEqual({ plan: 'pro' })
      expect(file.clients['listed-custom']).toEqual({ quotas: [{ duration: 'hour', creditLimit: 7 }] })
      // Written to a temp file and renamed over the clients file: nothing is left beside it.
      expect(readdirSync(server.dataDir).filter((name) => name.includes('clients'))).toEqual(['clients.json'])
      const { clients } = await getJson<{ clients: unknown[] }>('/api/demo/clients')
      expect(clients).toContainEqual({ apiKey: 'listed-pro', name: 'listed-pro', plan: 'pro' })
      expect(clients).toContainEqual({ apiKey: 'listed-custom', name: 'listed-custom', plan: 'custom' })
    },
    API_TEST_MS,
  )

  it(
    'puts a client on a catalog plan with overrides that replace or add windows',
    async () => {
      const path = '/api/admin/clients/overridden/plan'
      const overrides = [
        { duration: 'minute', creditLimit: 20 },
        { duration: 'hour', creditLimit: 300 },
      ]
      const changed = await admin.put(path, { plan: 'free', overrides })
      expect(changed.status).toBe(200)
      expect(await changed.json()).toEqual({
        clientId: 'overridden',
        quotas: [
          { duration: 'minute', creditLimit: 20 },
          { duration: 'day', creditLimit: 100 },
          { duration: 'hour', creditLimit: 300 },
        ],
      })
      const charged = await get('/api/fetch-data', 'overridden')
      // Tightest first: 19, 99 and 299 credits left.
      expect(charged.headers.get('ratelimit-policy')).toBe(
        '"minute";q=20;w=60, "day";q=100;w=86400, "hour";q=300;w=3600',
      )
      const twice = [overrides[0], { duration: 'minute', creditLimit: 2 }]
      const refused = await admin.put(path, { plan: 'free', overrides: twice })
      expect(refused.status).toBe(400)
      expect(await refused.json()).toMatchObject({ detail: expect.stringMatching(/^Invalid overrides: /) })
    },
    API_TEST_MS,
  )

  it(
    'serves a prepaid client from its balance, answers 402 when it runs out, and tops it up by the admin route',
    async () => {
      await admin.setPlan('prepaid-api', 'prepaid')
      const empty = await get('/api/fetch-data', 'prepaid-api')
      expect(empty.status).toBe(402)
      expect(empty.headers.get('retry-after')).toBeNull()
      expect(await empty.json()).toMatchObject({ status: 402, needed: 1, available: 0 })
      expect((await admin.topUp('prepaid-api', { credits: 6 }, null)).status).toBe(403)
      expect((await admin.topUp('prepaid-api', { credits: 6 }, `${ADMIN_TOKEN.slice(0, -1)}X`)).status).toBe(
        403,
      )
      expect((await admin.topUp('prepaid-api', { credits: -6 })).status).toBe(400)
      expect((await admin.topUp('prepaid-api', { credits: 'six' })).status).toBe(400)
      const granted = await admin.topUp('prepaid-api', { credits: 6, note: 'test', idempotencyKey: 'inv-1' })
      expect(granted.status).toBe(201)
      expect(await granted.json()).toMatchObject({ credits: 6, remaining: 6, note: 'test' })
      expect((await admin.topUp('prepaid-api', { credits: 6, idempotencyKey: 'inv-1' })).status).toBe(201)
      const expensive = await get('/api/fetch-expensive-data', 'prepaid-api')
      expect(expensive.status).toBe(200)
      expect(expensive.headers.get('ratelimit')).toContain('"balance";r=1')
      expect((await get('/api/fetch-expensive-data', 'prepaid-api')).status).toBe(402)
      const balance = await getJson<{ available: number; lowBalance: number }>(
        '/api/billing/balance',
        'prepaid-api',
      )
      expect(balance).toMatchObject({ available: 1, lowBalance: 10 })
      const welcome = await getJson<{ available: number }>('/api/billing/balance', 'demo-prepaid')
      expect(welcome.available).toBeGreaterThan(0) // plans.json's welcome credits, granted once at start-up
    },
    API_TEST_MS,
  )

  it(
    'bills a metered client past its allowance up to the overage limit, and logs the alerts it crossed',
    async () => {
      await admin.setPlan('metered-api', 'metered')
      for (let i = 0; i < 10; i++)
        expect((await get('/api/fetch-expensive-data', 'metered-api')).status).toBe(200)
      const refused = await get('/api/fetch-data', 'metered-api')
      expect(refused.status).toBe(429)
      const quota = await getJson<QuotaStatusBody>('/api/billing/quota', 'metered-api')
      expect(quota.windows.find((w) => w.duration === 'month')).toMatchObject({
        limit: 20,
        used: 50,
        overflow: 'bill',
        overageLimit: 30,
      })
      const daily = await getJson<DailyUsageBody>('/api/billing/usage/daily', 'metered-api')
      expect(daily.days.at(-1)).toMatchObject({ credits: 50, fromBalance: 0, overage: 30 })
      const { alerts } = await getJson<{ alerts: { kind: string; message: string }[] }>(
        '/api/billing/alerts',
        'metered-api',
      )
      expect(alerts.map((a) => a.message)).toEqual([
        '80 % of the minute quota used (50 of 60 credits)',
        '100 % of the month quota used (20 of 20 credits)',
        '80 % of the month quota used (20 of 20 credits)',
      ])
    },
    API_TEST_MS,
  )

  it(
    'sets the test clock only for the admin token and a valid instant',
    async () => {
      expect((await admin.put('/api/test/clock', { at: '2030-01-01T00:00:00Z' }, null)).status).toBe(403)
      expect((await admin.put('/api/test/clock', { at: '2030-01-01T00:00:00Z' }, 'wrong')).status).toBe(403)
      const invalid = await admin.put('/api/test/clock', { at: 'next tuesday' })
      expect(invalid.status).toBe(400)
      expect(await invalid.json()).toMatchObject({
        detail: 'Invalid at: expected { "at": "<ISO-8601 instant>" }',
      })
      const status = await getJson<QuotaStatusBody>('/api/billing/quota', 'demo-free')
      expect(status.at).toBe(TEST_CLOCK_START)
      const moved = await admin.put('/api/test/clock', { at: '2030-01-01T00:00:00+01:00' })
      expect(await moved.json()).toEqual({ now: '2029-12-31T23:00:00.000Z' })
    },
    API_TEST_MS,
  )
})

describe('the demo server process', () => {
  it(
    'shuts down cleanly on SIGTERM and keeps usage across a restart',
    async () => {
      const env = { DEMO_CLOCK_START: TEST_CLOCK_START }
      const first = await startDemoServer(env)
      try {
        const response = await fetch(`${first.url}/api/fetch-expensive-data`, {
          headers: { 'X-API-Key': 'demo-pro' },
        })
        expect(response.status).toBe(200)
        expect(await first.stop()).toBe(0)
        expect(first.output()).toContain('Stopped cleanly')
        const second = await startDemoServer(env, first.dataDir)
        try {
          const response = await fetch(`${second.url}/api/billing/quota`, {
            headers: { 'X-API-Key': 'demo-pro' },
          })
          const status = (await response.json()) as QuotaStatusBody
          expect(status.windows.map((w) => [w.duration, w.used])).toEqual([
            ['minute', 5],
            ['month', 5],
          ])
        } finally {
          expect(await second.stop()).toBe(0)
        }
      } finally {
        removeDataDir(first.dataDir)
      }
    },
    PROCESS_TEST_MS,
  )

  it(
    'runs on the wall clock without a clock route unless DEMO_CLOCK_START is set',
    async () => {
      const plain = await startDemoServer({ ADMIN_TOKEN })
      try {
        const before = Date.now()
        const clock = await new DemoAdmin(plain.url).put('/api/test/clock', { at: TEST_CLOCK_START })
        expect(clock.status).toBe(404)
        const response = await fetch(`${plain.url}/api/billing/quota`, {
          headers: { 'X-API-Key': 'demo-free' },
        })
        const at = Date.parse(((await response.json()) as QuotaStatusBody).at)
        expect(at).toBeGreaterThanOrEqual(before)
        expect(at).toBeLessThanOrEqual(Date.now())
        expect(plain.output()).not.toContain('Test clock')
      } finally {
        await plain.stop()
        removeDataDir(plain.dataDir)
      }
    },
    PROCESS_TEST_MS,
  )

  it(
    'follows a plan change made through another instance on the same data once its cache expires',
    async () => {
      // Two processes on one SQLite file and one clients file (named by DEMO_CLIENTS_FILE). Their caches
      // expire on their own test clocks: B's is moved past the TTL instead of waiting for it.
      const dataDir = mkdtempSync(join(tmpdir(), 'api-billing-demo-two-'))
      const env = {
        ADMIN_TOKEN,
        DEMO_CLOCK_START: TEST_CLOCK_START,
        DEMO_CLIENT_TTL_MS: String(CLIENT_TTL_MS),
        DEMO_CLIENTS_FILE: join(dataDir, 'shared-clients.json'),
      }
      const servers: DemoServer[] = []
      try {
        const a = await startDemoServer(env, dataDir)
        servers.push(a)
        const b = await startDemoServer(env, dataDir)
        servers.push(b)
        const minuteLimit = (on: DemoServer) => quotaOn(on, 'two-instances').then((q) => q.windows[0]?.limit)
        await new DemoAdmin(a.url).setPlan('two-instances', 'free')
        expect(await minuteLimit(b)).toBe(10) // B reads the file on first sight, and caches the answer

        await new DemoAdmin(a.url).setPlan('two-instances', 'pro')
        expect(await minuteLimit(a)).toBe(60) // A dropped its cached answer: at once
        expect(await minuteLimit(b)).toBe(10) // B's answer is fresh on its clock
        const adminB = new DemoAdmin(b.url)
        await adminB.setClock(new Date(Date.parse(TEST_CLOCK_START) + CLIENT_TTL_MS - 1).toISOString())
        expect(await minuteLimit(b)).toBe(10)
        await adminB.setClock(new Date(Date.parse(TEST_CLOCK_START) + CLIENT_TTL_MS).toISOString())
        // Expired: this request is still served from the cache while B reads the file again (the resolver
        // reads it synchronously, so the new answer is cached before B reads its next request).
        expect(await minuteLimit(b)).toBe(10)
        expect(await minuteLimit(b)).toBe(60)

        // And they count usage together.
        const charged = await fetch(`${b.url}/api/fetch-expensive-data`, {
          headers: { 'X-API-Key': 'two-instances' },
        })
        expect(charged.status).toBe(200)
        expect((await quotaOn(a, 'two-instances')).windows.map((w) => [w.duration, w.used])).toEqual([
          ['minute', 5],
          ['month', 5],
        ])
      } finally {
        for (const server of servers) expect(await server.stop()).toBe(0)
        removeDataDir(dataDir)
      }
    },
    TWO_PROCESS_TEST_MS,
  )

  it(
    'refuses to start on a DEMO_CLIENT_TTL_MS that is not a positive number of milliseconds',
    async () => {
      const started = startDemoServer({ DEMO_CLIENT_TTL_MS: '0' })
      await expect(started).rejects.toThrow(/exited during start-up[\s\S]*Invalid DEMO_CLIENT_TTL_MS/)
    },
    PROCESS_TEST_MS,
  )

  it(
    'refuses to start on a DEMO_CLOCK_START that is not an instant',
    async () => {
      const started = startDemoServer({ DEMO_CLOCK_START: 'soon' })
      await expect(started).rejects.toThrow(/exited during start-up[\s\S]*DEMO_CLOCK_START/)
    },
    PROCESS_TEST_MS,
  )
})
