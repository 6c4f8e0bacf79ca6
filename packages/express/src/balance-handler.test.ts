import { describe, expect, it } from '@jest/globals'
import { ApiBilling, MemoryUsageStore, PROBLEM_TYPES } from '@x/api-billing-core'
import { ManualClock } from '@x/api-billing-core/testing'
import type { Request } from 'express'
import request from 'supertest'
import { balanceHandler } from './balance-handler.js'
import { EXPRESS_VERSIONS } from './test-support/express-versions.js'
import { FailingUsageStore } from './test-support/failing-usage-store.js'

const apiKey = (req: Request) => req.get('x-api-key')
const NOW = '2026-03-10T10:00:00.000Z'

describe.each(EXPRESS_VERSIONS)('balanceHandler ($name)', ({ express }) => {
  function app(billing: ApiBilling, lowBalance?: number) {
    const server = express()
    server.get(
      '/api/balance',
      balanceHandler(billing, { clientId: apiKey, ...(lowBalance === undefined ? {} : { lowBalance }) }),
    )
    return server
  }

  it("answers the caller's balance and live grants in spending order, with the server's clock", async () => {
    const clock = new ManualClock(NOW)
    const billing = new ApiBilling({ store: new MemoryUsageStore(), clock: clock.now })
    const later = await billing.grantCredits('key-1', 10, { note: 'top-up' })
    const soon = await billing.grantCredits('key-1', 5, { expiresAt: new Date('2026-03-11T00:00:00Z') })
    clock.advance(1) // granted later: spent after the other grant that never expires
    await billing.grantCredits('key-1', 7, { effectiveAt: new Date('2026-03-12T00:00:00Z') })
    await billing.grantCredits('other', 99)
    const res = await request(app(billing, 8)).get('/api/balance').set('x-api-key', 'key-1').expect(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual({
      at: '2026-03-10T10:00:00.001Z',
      available: 15,
      lowBalance: 8,
      grants: [
        {
          id: soon.id,
          credits: 5,
          remaining: 5,
          effectiveAt: NOW,
          expiresAt: '2026-03-11T00:00:00.000Z',
          grantedAt: NOW,
        },
        { id: later.id, credits: 10, remaining: 10, effectiveAt: NOW, grantedAt: NOW, note: 'top-up' },
        expect.objectContaining({ credits: 7, effectiveAt: '2026-03-12T00:00:00.000Z' }),
      ],
    })
  })

  it('answers 0 and no grants for a client that never had any, and 401 without a client id', async () => {
    const billing = new ApiBilling({ store: new MemoryUsageStore() })
    const res = await request(app(billing)).get('/api/balance').set('x-api-key', 'nobody').expect(200)
    expect(res.body).toMatchObject({ available: 0, grants: [] })
    expect(res.body).not.toHaveProperty('lowBalance')
    await request(app(billing)).get('/api/balance').expect(401)
  })

  it('answers 503 with a problem body when the store fails', async () => {
    const billing = new ApiBilling({ store: new FailingUsageStore() })
    const res = await request(app(billing)).get('/api/balance').set('x-api-key', 'key-1').expect(503)
    expect(res.body.type).toBe(PROBLEM_TYPES.STORE_UNAVAILABLE)
  })

  it('rejects a bad lowBalance when the route is built', () => {
    const billing = new ApiBilling({ store: new MemoryUsageStore() })
    expect(() => balanceHandler(billing, { clientId: apiKey, lowBalance: -1 })).toThrow(TypeError)
  })
})
