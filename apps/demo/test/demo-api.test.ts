import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { parseList } from 'structured-headers'
import { type DemoServer, removeDataDir, startDemoServer, withinOneMinuteWindow } from './demo-server.js'

const ADMIN_TOKEN = 'test-admin-token'
let server: DemoServer

beforeAll(async () => {
  server = await startDemoServer({ ADMIN_TOKEN })
})

afterAll(async () => {
  await server?.stop()
  if (server) removeDataDir(server.dataDir)
})

function get(path: string, apiKey?: string) {
  return fetch(`${server.url}${path}`, { headers: apiKey === undefined ? {} : { 'X-API-Key': apiKey } })
}

function remaining(response: Response): Record<string, number> {
  const items = parseList(response.headers.get('ratelimit') ?? '')
  return Object.fromEntries(items.map(([name, params]) => [String(name), Number(params.get('r'))]))
}

describe('the demo API', () => {
  it('answers 401 without an API key and 403 for an unknown one, as problem+json', async () => {
    const missing = await get('/api/fetch-data')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/)
    const unknown = await get('/api/fetch-data', 'not-a-key')
    expect(unknown.status).toBe(403)
  })

  it('charges 1 credit for fetch-data and 5 for fetch-expensive-data, with both header sets', async () => {
    await withinOneMinuteWindow(5_000)
    const cheap = await get('/api/fetch-data', 'demo-pro')
    expect(cheap.status).toBe(200)
    expect(remaining(cheap)).toEqual({ minute: 59, month: 4_999 })
    expect(cheap.headers.get('x-ratelimit-remaining')).toBe('59')
    const expensive = await get('/api/fetch-expensive-data', 'demo-pro')
    expect(remaining(expensive)).toEqual({ minute: 54, month: 4_994 })
    expect(await expensive.json()).toMatchObject({ charged: 5 })
  })

  it('answers 429 with Retry-After once the free minute is spent, and charges nothing more', async () => {
    await withinOneMinuteWindow(5_000)
    for (let i = 0; i < 2; i++) expect((await get('/api/fetch-expensive-data', 'demo-free')).status).toBe(200)
    const limited = await get('/api/fetch-data', 'demo-free')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const problem = (await limited.json()) as { violatedWindows: { duration: string }[]; cost: number }
    expect(problem.cost).toBe(1)
    expect(problem.violatedWindows.map((w) => w.duration)).toEqual(['minute'])
    const status = (await (await get('/api/billing/quota', 'demo-free')).json()) as {
      windows: { duration: string; used: number }[]
    }
    expect(status.windows.map((w) => [w.duration, w.used])).toEqual([
      ['minute', 10],
      ['day', 10],
    ])
  })

  it('reports today’s usage on the daily route', async () => {
    await get('/api/fetch-data', 'demo-unlimited')
    await get('/api/fetch-expensive-data', 'demo-unlimited')
    const body = (await (await get('/api/billing/usage/daily', 'demo-unlimited')).json()) as {
      days: { date: string; credits: number }[]
      total: number
    }
    expect(body.total).toBe(6)
    expect(body.days.at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), credits: 6 })
  })

  it('changes a plan at run time through the admin route, guarded by the token', async () => {
    const put = (token: string | undefined, body: unknown) =>
      fetch(`${server.url}/api/admin/clients/demo-free/plan`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      })
    expect((await put(undefined, { plan: 'unlimited' })).status).toBe(403)
    expect((await put('wrong', { plan: 'unlimited' })).status).toBe(403)
    expect((await put(ADMIN_TOKEN, { plan: 'platinum' })).status).toBe(400)
    expect((await put(ADMIN_TOKEN, { quotas: [{ duration: 'minute', creditLimit: -1 }] })).status).toBe(400)
    expect((await put(ADMIN_TOKEN, { quotas: [{ duration: 'minute', creditLimit: 1000 }] })).status).toBe(200)
    const next = await get('/api/fetch-data', 'demo-free')
    expect(next.status).toBe(200)
    expect(next.headers.get('ratelimit-policy')).toBe('"minute";q=1000;w=60')
  })
})

describe('the demo server process', () => {
  it('shuts down cleanly on SIGTERM and keeps usage across a restart', async () => {
    const first = await startDemoServer()
    try {
      const response = await fetch(`${first.url}/api/fetch-expensive-data`, {
        headers: { 'X-API-Key': 'demo-pro' },
      })
      expect(response.status).toBe(200)
      expect(await first.stop()).toBe(0)
      expect(first.output()).toContain('Stopped cleanly')
      const second = await startDemoServer({}, first.dataDir)
      try {
        const status = (await (
          await fetch(`${second.url}/api/billing/quota`, { headers: { 'X-API-Key': 'demo-pro' } })
        ).json()) as { windows: { duration: string; used: number }[] }
        expect(status.windows.find((w) => w.duration === 'month')?.used).toBe(5)
      } finally {
        await second.stop()
      }
    } finally {
      removeDataDir(first.dataDir)
    }
  })
})
