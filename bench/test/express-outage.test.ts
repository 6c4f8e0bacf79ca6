import type { Server } from 'node:http'
import { afterEach, describe, expect, it } from '@jest/globals'
import { ApiBilling, type UsageStore } from '@x/api-billing-core'
import { billingMiddleware } from '@x/api-billing-express'
import express from 'express'
import request from 'supertest'
import { postgresUrl } from '../src/server-urls.js'
import { createSqlTarget, type ServerEngine, type SqlTarget } from './support/sql-targets.js'
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js'

/**
 * A database outage seen through the Express middleware: the SQL store reaches its server through a
 * loopback proxy that the test cuts (every connection dropped, new ones refused) and restores.
 * During the outage requests get 503 (or pass through uncharged with `failOpen`); afterwards the store
 * reconnects by itself and charging resumes with the count intact.
 */

const SERVER_PORT: Record<ServerEngine, () => number> = {
  postgres: () => Number(new URL(postgresUrl()).port || 5432),
  mysql: () => Number(new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test').port || 3306),
}

let target: SqlTarget | undefined
let proxy: TcpProxy | undefined
let store: UsageStore | undefined
let server: Server | undefined
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)))
  await store?.close().catch(() => undefined)
  await proxy?.close()
  await target?.drop()
  server = store = proxy = target = undefined
})

describe.each<ServerEngine>(['postgres', 'mysql'])(
  'billingMiddleware on SqlUsageStore (%s) during an outage',
  (engine) => {
    it('answers 503 while the database is down, lets requests through with failOpen, and recovers', async () => {
      target = await createSqlTarget(engine)
      proxy = await startTcpProxy('127.0.0.1', SERVER_PORT[engine]())
      store = await target.openStore(proxy.port)
      const billing = new ApiBilling({ store })
      await billing.updateClientQuotas('key-1', [{ duration: 'day', creditLimit: 1_000 }])
      const failedOpen: unknown[] = []
      const app = express()
      const clientId = (req: express.Request) => req.get('x-api-key')
      app.get('/closed', billingMiddleware(billing, { clientId }), (_req, res) => {
        res.json({ ok: true })
      })
      app.get(
        '/open',
        billingMiddleware(billing, { clientId, failOpen: true, onError: (e) => failedOpen.push(e) }),
        (_req, res) => {
          res.json({ ok: true })
        },
      )
      server = app.listen(0, '127.0.0.1')
      const get = (path: string) =>
        request(server as Server)
          .get(path)
          .set('x-api-key', 'key-1')

      for (let i = 0; i < 3; i++) expect((await get('/closed')).status).toBe(200)
      proxy.cut()
      const during = await Promise.all(Array.from({ length: 6 }, () => get('/closed')))
      expect(during.map((r) => r.status)).toEqual(Array(6).fill(503))
      expect(during[0]?.headers['content-type']).toMatch(/application\/problem\+json/)
      const open = await Promise.all(Array.from({ length: 4 }, () => get('/open')))
      expect(open.map((r) => r.status)).toEqual(Array(4).fill(200))
      expect(failedOpen).toHaveLength(4)

      proxy.restore()
      // Each request that still finds a connection the outage broke fails (503) and the pool drops that
      // connection, so one succeeds within the pool's size (10) and a few more: counted, not timed.
      let status = 0
      for (let attempt = 0; attempt < 25 && status !== 200; attempt++) status = (await get('/closed')).status
      expect(status).toBe(200)
      // 3 before, 1 after; nothing charged during the outage (failOpen lets requests through uncharged).
      const after = await billing.getQuotaStatus('key-1')
      expect(after.windows[0]?.used).toBe(4)
    }, 90_000) // under 1 s on an idle machine
  },
)
