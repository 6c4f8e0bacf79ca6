import type { Server } from 'node:http'
import { describe, expect, it } from '@jest/globals'
import { MemoryUsageStore } from '@x/api-billing-core'
import express from 'express'
import fc from 'fast-check'
import request from 'supertest'
import { billingMiddleware } from './billing-middleware.js'
import { dailyUsageHandler } from './daily-usage-handler.js'
import { quotaStatusHandler } from './quota-status-handler.js'
import { billingFixture, usedCredits } from './test-support/billing-fixture.js'

/**
 * HTTP fuzzing: random requests with odd headers, huge or non-numeric costs, unknown clients and
 * invalid dates and time zones in the daily route's query string. Never a 500 or a crash, and the
 * usage only changes by the cost of a request answered 200.
 */

const KNOWN = ['key-1', 'key-2'] as const
const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`))

const apiKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<string | undefined>(...KNOWN, ` ${KNOWN[0]} `) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<string | undefined>(undefined, '', 'unknown', 'KEY-1', '\u00e9t\u00e9'),
  },
  { weight: 2, arbitrary: printable(300) },
)
const cost = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }).map(String) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '-1',
      '1.5',
      'NaN',
      'Infinity',
      '1e308',
      '9007199254740993',
      '0x2',
      ' 2 ',
      'one',
      '',
      '[]',
    ),
  },
  { weight: 1, arbitrary: printable(20) },
)
const dateText = fc.oneof(
  fc.constantFrom(
    '2026-03-01',
    '2026-03-10T00:00:00Z',
    '2026-02-30',
    '2026-13-01',
    '1969-12-31',
    '2026-03-10T25:00:00Z',
    '2026-03-10T10:00:00+14:00',
    '0000-01-01',
    '9999-12-31',
    '2016-03-10',
  ),
  printable(30),
)
const timeZone = fc.oneof(
  fc.constantFrom(
    'UTC',
    'Asia/Kathmandu',
    'Europe/Berlin',
    'America/St_Johns',
    '+05:30',
    'Mars/Olympus',
    'utc',
  ),
  printable(40),
)

type Call =
  | { route: 'api'; key: string | undefined; cost: string | undefined; extra: [string, string] | undefined }
  | { route: 'status'; key: string | undefined }
  | {
      route: 'daily'
      key: string | undefined
      query: { from?: string | string[]; to?: string; timeZone?: string }
    }

const call: fc.Arbitrary<Call> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      route: fc.constant('api' as const),
      key: apiKey,
      cost: fc.option(cost, { nil: undefined }),
      extra: fc.option(
        fc.tuple(
          fc.constantFrom('idempotency-key', 'x-forwarded-for', 'content-type', 'accept'),
          printable(60),
        ),
        {
          nil: undefined,
        },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ route: fc.constant('status' as const), key: apiKey }) },
  {
    weight: 3,
    arbitrary: fc.record({
      route: fc.constant('daily' as const),
      key: apiKey,
      query: fc.record(
        {
          from: fc.oneof(dateText, fc.array(dateText, { minLength: 2, maxLength: 3 })),
          to: dateText,
          timeZone,
        },
        { requiredKeys: [] },
      ),
    }),
  },
)

/** What the cost header means to the app below: `Number(header ?? '1')`, header whitespace trimmed. */
function parsedCost(header: string | undefined): number {
  return Number(header === undefined ? '1' : header.trim())
}

async function withServer(
  play: (server: Server, fixture: Awaited<ReturnType<typeof billingFixture>>) => Promise<void>,
) {
  const fixture = await billingFixture(new MemoryUsageStore())
  const { billing } = fixture
  const clientId = (req: express.Request) => req.get('x-api-key')
  const app = express()
  app.get(
    '/api',
    billingMiddleware(billing, { clientId, cost: (req) => parsedCost(req.get('x-cost')) }),
    (_req, res) => {
      res.json({ ok: true })
    },
  )
  app.get('/status', quotaStatusHandler(billing, { clientId }))
  app.get('/daily', dailyUsageHandler(billing, { clientId }))
  const server = app.listen(0, '127.0.0.1')
  try {
    await play(server, fixture)
  } finally {
    await new Promise((done) => server.close(done))
  }
}

describe('billing routes under random requests (fast-check)', () => {
  it('never answer 500, and charge exactly the cost of the requests answered 200', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) =>
        withServer(async (server, { billing }) => {
          const used = new Map<string, number[]>()
          for (const id of KNOWN) used.set(id, await usedCredits(billing, id))
          for (const c of calls) {
            let req = request(server).get(c.route === 'api' ? '/api' : `/${c.route}`)
            if (c.key !== undefined) req = req.set('x-api-key', c.key)
            if (c.route === 'api' && c.cost !== undefined) req = req.set('x-cost', c.cost)
            if (c.route === 'api' && c.extra !== undefined) req = req.set(c.extra[0], c.extra[1])
            if (c.route === 'daily') req = req.query(c.query)
            const res = await req
            expect([200, 400, 401, 403, 429]).toContain(res.status)
            const key = c.key?.trim()
            const known = (KNOWN as readonly (string | undefined)[]).includes(key)
            const credits = parsedCost(c.route === 'api' ? c.cost : undefined)
            // An invalid cost is bad input, answered 400 before the client is looked up.
            const validCost = c.route !== 'api' || (Number.isSafeInteger(credits) && credits >= 0)
            if (key === undefined || key === '') expect(res.status).toBe(401)
            else if (!validCost) expect(res.status).toBe(400)
            else if (!known) expect(res.status).toBe(403)
            if (c.route === 'api' && known) {
              const before = used.get(key as string) as number[]
              const expected = res.status === 200 ? before.map((u) => u + credits) : before
              used.set(key as string, expected)
            }
            for (const id of KNOWN) expect(await usedCredits(billing, id)).toEqual(used.get(id))
          }
        }),
      ),
      { numRuns: 300, interruptAfterTimeLimit: 30_000 },
    )
  })
})
