import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  type ApiBilling,
  billingErrorProblem,
  InvalidArgumentError,
  PROBLEM_CONTENT_TYPE,
  type QuotaDefinition,
} from '@x/api-billing-core'
import {
  billingMiddleware,
  dailyUsageHandler,
  getBillingDecision,
  quotaStatusHandler,
} from '@x/api-billing-express'
import express, { type Request, type RequestHandler, type Response } from 'express'
import { type DemoPlans, planFromJson } from './demo-plans.js'

/** Options of {@link createDemoApp}. */
export interface DemoAppOptions {
  /** The engine, with the seeded clients' plans already set. */
  readonly billing: ApiBilling
  /** The plans file, for the client picker and for plan changes by name. */
  readonly plans: DemoPlans
  /** Bearer token of the admin route; without one the route answers 403. */
  readonly adminToken?: string
  /** Folder of the built dashboard; served at `/` when it exists. */
  readonly webRoot?: string
  /**
   * Test only: the engine's clock, which `PUT /api/test/clock` (guarded by the admin token) then sets.
   * Default: none, and the route does not exist.
   */
  readonly testClock?: DemoTestClock
}

/** A clock that stands still until told to move: the demo server's clock under `DEMO_CLOCK_START` (test only). */
export interface DemoTestClock {
  /** The clock's current instant, as a new `Date`: the engine's `clock`. */
  readonly now: () => Date
  /** Moves the clock to `at`; backwards too. */
  readonly set: (at: Date) => void
}

const apiKey = (req: Request) => req.get('x-api-key')

/**
 * The demo's Express app: frappy's two endpoints (1 and 5 credits) behind `billingMiddleware`, the
 * status and daily-usage routes that feed the dashboard, an admin route that changes a client's plan
 * at run time, and the built dashboard. With `testClock` (tests only) also `PUT /api/test/clock`.
 */
export function createDemoApp(options: DemoAppOptions): express.Express {
  const { billing, plans } = options
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '16kb' }))

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true })
  })
  app.get('/api/demo/clients', (_req, res) => {
    res.json({ clients: plans.clients })
  })

  app.get('/api/fetch-data', billingMiddleware(billing, { clientId: apiKey, cost: 1 }), (_req, res) => {
    res.json({ data: 'Some cheap data', charged: getBillingDecision(res)?.cost })
  })
  app.get(
    '/api/fetch-expensive-data',
    billingMiddleware(billing, { clientId: apiKey, cost: 5 }),
    (_req, res) => {
      res.json({ data: 'Some expensive data', charged: getBillingDecision(res)?.cost })
    },
  )

  app.get('/api/billing/quota', quotaStatusHandler(billing, { clientId: apiKey }))
  app.get('/api/billing/usage/daily', dailyUsageHandler(billing, { clientId: apiKey }))

  app.put('/api/admin/clients/:clientId/plan', planHandler(options))
  if (options.testClock !== undefined) {
    app.put('/api/test/clock', testClockHandler(options.testClock, options.adminToken))
  }

  if (options.webRoot !== undefined && existsSync(options.webRoot)) {
    const webRoot = options.webRoot
    app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }))
    app.get(/^(?!\/api\/).*/, (_req, res) => res.sendFile(join(webRoot, 'index.html')))
  }
  app.use('/api', (_req, res) => problem(res, 404, 'Not found', 'No such API route.'))
  return app
}

/** `PUT /api/admin/clients/:clientId/plan`: sets a client's plan, by name or inline. */
function planHandler(options: DemoAppOptions): RequestHandler {
  const { billing, plans } = options
  return async (req, res) => {
    if (!isAdmin(req, options.adminToken)) {
      forbidden(res)
      return
    }
    const clientId = String(req.params.clientId)
    try {
      const definitions = planOf(req.body, plans)
      await billing.updateClientQuotas(clientId, definitions)
      res.json({ clientId, quotas: billing.getClientQuotas(clientId) })
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error
      badRequest(res, error)
    }
  }
}

/** `PUT /api/test/clock` with `{ "at": "<ISO-8601>" }`: sets the test clock; answers `{ now }`. */
function testClockHandler(clock: DemoTestClock, adminToken: string | undefined): RequestHandler {
  return (req, res) => {
    if (!isAdmin(req, adminToken)) {
      forbidden(res)
      return
    }
    const { at } = (req.body ?? {}) as { at?: unknown }
    const instant = typeof at === 'string' ? new Date(at) : undefined
    if (instant === undefined || Number.isNaN(instant.getTime())) {
      badRequest(res, new InvalidArgumentError('at', 'expected { "at": "<ISO-8601 instant>" }'))
      return
    }
    clock.set(instant)
    res.json({ now: clock.now().toISOString() })
  }
}

function isAdmin(req: Request, token: string | undefined): boolean {
  return token !== undefined && token !== '' && req.get('authorization') === `Bearer ${token}`
}

/** `{ "plan": "pro" }` names a plan of the file; `{ "quotas": [...] }` gives one inline. */
function planOf(body: unknown, plans: DemoPlans): QuotaDefinition[] {
  const { plan, quotas } = (body ?? {}) as { plan?: unknown; quotas?: unknown }
  if (typeof plan === 'string') {
    const named = plans.plans.get(plan)
    if (named === undefined) throw new InvalidArgumentError('plan', `no plan named "${plan}"`)
    return [...named]
  }
  if (quotas !== undefined) return planFromJson('quotas', quotas)
  throw new InvalidArgumentError('body', 'expected { "plan": "<name>" } or { "quotas": [...] }')
}

function forbidden(res: Response): void {
  problem(
    res,
    403,
    'Forbidden',
    'Send "Authorization: Bearer <ADMIN_TOKEN>"; the route is off without ADMIN_TOKEN.',
  )
}

function badRequest(res: Response, error: InvalidArgumentError): void {
  res.status(400).type(PROBLEM_CONTENT_TYPE).json(billingErrorProblem(error))
}

function problem(res: Response, status: number, title: string, detail: string): void {
  res.status(status).type(PROBLEM_CONTENT_TYPE).json({ type: 'about:blank', title, status, detail })
}
