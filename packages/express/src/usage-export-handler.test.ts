import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  ApiBilling,
  MemoryUsageStore,
  type ScannedBucket,
  UNLIMITED,
  type UsageExportOptions,
  type UsageRow,
  type UsageScan,
  usageCsv,
} from '@x/api-billing-core'
import { ManualClock } from '@x/api-billing-core/testing'
import type { Express, Request } from 'express'
import request from 'supertest'
import { bearerTokenAuthorizer } from './bearer-token-authorizer.js'
import { EXPRESS_VERSIONS } from './test-support/express-versions.js'
import { type UsageExportHandlerOptions, usageExportHandler } from './usage-export-handler.js'

const TOKEN = 'export-secret-1'
const RANGE = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-04T00:00:00Z') }
const QUERY = '?from=2026-03-01&to=2026-03-03'

/** A memory store whose `scanUsage` waits for {@link open} from the `gateAt`-th call on. */
class GatedStore extends MemoryUsageStore {
  scans = 0
  gateAt = Number.POSITIVE_INFINITY
  private release: () => void = () => {}
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve
  })

  override async scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]> {
    this.scans++
    if (this.scans >= this.gateAt) await this.gate
    return super.scanUsage(scan)
  }

  open(): void {
    this.release()
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

/** A supertest parser that keeps the body as text (for media types superagent does not buffer). */
type BodyParser = Exclude<Parameters<request.Test['parse']>[0], (str: string) => unknown>
const text: BodyParser = (res, callback) => {
  let body = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    body += chunk
  })
  res.on('end', () => callback(null, body))
}

describe.each(EXPRESS_VERSIONS)('usageExportHandler ($name)', (version) => {
  let store: GatedStore
  let billing: ApiBilling

  beforeEach(async () => {
    store = new GatedStore()
    const clock = new ManualClock('2026-03-01T00:00:00Z')
    billing = new ApiBilling({ store, clock: clock.now })
    for (const clientId of ['a', 'b', '=cmd']) {
      await billing.updateClientQuotas(clientId, [{ duration: 'day', creditLimit: UNLIMITED }])
    }
    for (const [at, clientId, credits] of [
      ['2026-03-01T01:00:00Z', 'a', 2],
      ['2026-03-01T05:20:00Z', 'a', 3],
      ['2026-03-02T10:00:00Z', 'a', 4],
      ['2026-03-03T23:59:00Z', 'a', 5],
      ['2026-03-04T00:00:00Z', 'a', 100],
      ['2026-03-02T12:00:00Z', 'b', 7],
      ['2026-03-01T12:00:00Z', '=cmd', 1],
    ] as const) {
      clock.set(at)
      await billing.trackClientUsage(clientId, credits)
    }
  })
  afterEach(async () => {
    await store.close()
  })

  function app(options: Partial<UsageExportHandlerOptions> = {}): Express {
    const app = version.express()
    app.get('/export', usageExportHandler(billing, { authorize: bearerTokenAuthorizer(TOKEN), ...options }))
    return app
  }

  const get = (query = QUERY, options: Partial<UsageExportHandlerOptions> = {}) =>
    request(app(options)).get(`/export${query}`).set('Authorization', `Bearer ${TOKEN}`)

  async function expectedCsv(granularity: 'hour' | 'day' = 'day'): Promise<string> {
    return (await collect(usageCsv(billing.exportUsage({ ...RANGE, granularity })))).join('')
  }

  it('streams CSV by default: the export of every client, `to` date inclusive, formulas defused', async () => {
    const res = await get().expect(200)
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8; header=present/)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.text).toBe(await expectedCsv())
    expect(res.text.split('\r\n')).toEqual([
      'clientId,start,end,credits,fromBalance,overage',
      `"'=cmd",2026-03-01T00:00:00.000Z,2026-03-02T00:00:00.000Z,1,0,0`,
      'a,2026-03-01T00:00:00.000Z,2026-03-02T00:00:00.000Z,5,0,0',
      'a,2026-03-02T00:00:00.000Z,2026-03-03T00:00:00.000Z,4,0,0',
      'a,2026-03-03T00:00:00.000Z,2026-03-04T00:00:00.000Z,5,0,0',
      'b,2026-03-02T00:00:00.000Z,2026-03-03T00:00:00.000Z,7,0,0',
      '',
    ])
    expect((await get(QUERY).set('Accept', 'text/csv')).text).toBe(res.text)
    expect((await get(QUERY).set('Accept', '*/*')).text).toBe(res.text)
  })

  it("exports only the caller's own usage with a clientId resolver, 401 without one", async () => {
    const own = { authorize: () => true, clientId: (req: Request) => req.get('x-api-key') }
    const res = await request(app(own)).get(`/export${QUERY}`).set('x-api-key', 'b').expect(200)
    expect(res.text.split('\r\n')).toEqual([
      'clientId,start,end,credits,fromBalance,overage',
      'b,2026-03-02T00:00:00.000Z,2026-03-03T00:00:00.000Z,7,0,0',
      '',
    ])
    await request(app(own)).get(`/export${QUERY}`).expect(401)
    expect(() => usageExportHandler(billing, { authorize: () => true, clientId: 'b' as never })).toThrow(
      TypeError,
    )
  })

  it('streams NDJSON for Accept: application/x-ndjson, in hours with a small page size', async () => {
    const res = await get(`${QUERY}&granularity=hour`, { pageSize: 1 })
      .set('Accept', 'application/x-ndjson')
      .buffer(true)
      .parse(text)
      .expect(200)
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/)
    const rows = (res.body as string)
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const direct = await collect(billing.exportUsage({ ...RANGE, granularity: 'hour' }))
    expect(rows).toEqual(JSON.parse(JSON.stringify(direct)))
    expect(rows).toHaveLength(6)
    const credits = direct.filter((r: UsageRow) => r.clientId === 'a').reduce((s, r) => s + r.credits, 0)
    expect(credits).toBe(await billing.getTotalUsage('a', RANGE.from, RANGE.to))
  })

  it('reads timeZone and instants: Kathmandu days from an instant to an instant', async () => {
    const res = await get('?from=2026-02-28T18:15:00Z&to=2026-03-01T18:15:00%2B00:00&timeZone=Asia/Kathmandu')
    expect(res.status).toBe(200)
    expect(res.text.split('\r\n').slice(1, -1)).toEqual([
      `"'=cmd",2026-02-28T18:15:00.000Z,2026-03-01T18:15:00.000Z,1,0,0`,
      'a,2026-02-28T18:15:00.000Z,2026-03-01T18:15:00.000Z,5,0,0',
    ])
  })

  it('answers 401 with a challenge without a good bearer token, before looking at the parameters', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const req = request(app()).get('/export?from=nonsense')
      const res = await (authorization === undefined ? req : req.set('Authorization', authorization))
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer realm="usage-export"')
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    expect(store.scans).toBe(0)
  })

  it('answers 403 when authorize forbids, and passes the request to it', async () => {
    const seen: string[] = []
    const authorize = async (req: Request) => {
      seen.push(req.get('x-role') ?? '')
      return req.get('x-role') === 'admin' ? ('allow' as const) : false
    }
    const res = await request(app({ authorize })).get(`/export${QUERY}`).set('x-role', 'viewer')
    expect(res.status).toBe(403)
    expect(res.body).toMatchObject({ status: 403, title: 'Forbidden' })
    await request(app({ authorize })).get(`/export${QUERY}`).set('x-role', 'admin').expect(200)
    expect(seen).toEqual(['viewer', 'admin'])
  })

  it('answers 400 naming the parameter for a missing or bad one', async () => {
    for (const [query, parameter] of [
      ['?to=2026-03-03', 'from'],
      ['?from=2026-03-01', 'to'],
      ['?from=yesterday&to=2026-03-03', 'from'],
      ['?from=2026-03-01&to=2026-02-30', 'to'],
      ['?from=2026-03-03&to=2026-03-01', 'to'],
      [`${QUERY}&granularity=week`, 'granularity'],
      [`${QUERY}&timeZone=Mars/Base`, 'timeZone'],
      [`${QUERY}&from=2026-03-02`, 'from'],
    ] as const) {
      const res = await get(query)
      expect([query, res.status, res.body.parameter]).toEqual([query, 400, parameter])
    }
  })

  it('answers 406 for an Accept it cannot serve', async () => {
    const res = await get().set('Accept', 'application/json')
    expect(res.status).toBe(406)
    expect(res.body.detail).toContain('text/csv')
  })

  it('answers 503 when the store is down before anything was sent', async () => {
    await store.close()
    const res = await get()
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('1')
  })

  it('sends the first rows while the export is still reading the store', async () => {
    store.gateAt = 3 // page 1 and 2 (one bucket each) close the first row; page 3 waits
    const server = app({ pageSize: 1 }).listen(0)
    try {
      const { port } = server.address() as AddressInfo
      let scansWhenFirstRowArrived: number | undefined
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({
          port,
          path: `/export${QUERY}`,
          headers: { Authorization: `Bearer ${TOKEN}` },
        })
        req.on('error', reject)
        req.on('response', (res) => {
          let received = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            received += chunk
            if (scansWhenFirstRowArrived === undefined && received.includes('"\'=cmd",2026-03-01')) {
              scansWhenFirstRowArrived = store.scans
              store.open()
            }
          })
          res.on('end', () => resolve(received))
          res.on('error', reject)
        })
        req.end()
      })
      expect(scansWhenFirstRowArrived).toBe(3) // the export was waiting at the gate for page 3
      expect(body).toBe(await expectedCsv())
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  /** Opens a raw request; `onRow` runs once, when the first CSV row has arrived. */
  function rawExport(port: number, onRow: (req: ClientRequest) => void): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        port,
        path: `/export${QUERY}`,
        headers: { Authorization: `Bearer ${TOKEN}` },
      })
      req.on('response', (res) => {
        let received = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          const before = received
          received += chunk
          if (!before.includes('=cmd') && received.includes('=cmd')) onRow(req)
        })
        res.on('close', () => resolve(res))
      })
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)))
      req.end()
    })
  }

  it('breaks the download, not ends it, when the store fails after the 200', async () => {
    store.gateAt = 3
    const server = app({ pageSize: 1 }).listen(0)
    try {
      const res = await rawExport((server.address() as AddressInfo).port, () => {
        void store.close().then(() => store.open())
      })
      expect(res.statusCode).toBe(200)
      expect(res.complete).toBe(false)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('stops reading the store when the client goes away', async () => {
    let ended: () => void = () => {}
    const exportEnded = new Promise<void>((resolve) => {
      ended = resolve
    })
    let serverSide: () => void = () => {}
    const serverClosed = new Promise<void>((resolve) => {
      serverSide = resolve
    })
    class WatchedBilling extends ApiBilling {
      override async *exportUsage(options: UsageExportOptions): AsyncGenerator<UsageRow, void, undefined> {
        try {
          yield* super.exportUsage(options)
        } finally {
          ended()
        }
      }
    }
    const watched = new WatchedBilling({ store })
    store.gateAt = 3
    const express = version.express()
    express.use((_req, res, next) => {
      res.on('close', () => serverSide())
      next()
    })
    express.get(
      '/export',
      usageExportHandler(watched, { authorize: bearerTokenAuthorizer(TOKEN), pageSize: 1 }),
    )
    const server = express.listen(0)
    try {
      await rawExport((server.address() as AddressInfo).port, (req) => req.destroy())
      await serverClosed
      store.open()
      await exportEnded
      expect(store.scans).toBeLessThanOrEqual(4) // of 8 pages: the one it waited on and the next
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('rejects bad options at construction', () => {
    expect(() => usageExportHandler({} as ApiBilling, { authorize: () => true })).toThrow(TypeError)
    expect(() => usageExportHandler(billing, {} as UsageExportHandlerOptions)).toThrow(/options.authorize/)
    expect(() => usageExportHandler(billing, { authorize: () => true, pageSize: 0 })).toThrow(/pageSize/)
    expect(() => bearerTokenAuthorizer('')).toThrow(TypeError)
    expect(() => bearerTokenAuthorizer([])).toThrow(TypeError)
  })
})
