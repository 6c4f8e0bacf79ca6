import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  type ApiBilling,
  assertClientId,
  BillingError,
  billingErrorProblem,
  InvalidArgumentError,
  PROBLEM_CONTENT_TYPE,
} from '@x/api-billing-core'
import {
  balanceHandler,
  billingMiddleware,
  dailyUsageHandler,
  getBillingDecision,
  quotaStatusHandler,
  usageExportHandler,
} from '@x/api-billing-express'
import express, { type Request, type RequestHandler, type Response } from 'express'
import { AdminToken } from './admin-token.js'
import type { AlertLog } from './alert-log.js'
import type { ClientsFile } from './clients-file.js'
import type { DemoPlans } from './demo-plans.js'
import { planChangeFrom } from './plan-change.js'

/** Options of {@link createDemoApp}. */
export interface DemoAppOptions {
  /** The engine, resolving clients from {@link clients} with the plans of {@link plans} as its catalog. */
  readonly billing: ApiBilling
  /** The plans file: the catalog that plan changes by name are checked against. */
  readonly plans: DemoPlans
  /** The clients file: the client picker's list, and where the admin route writes plan changes. */
  readonly clients: ClientsFile
  /** Bearer token of the admin routes (compared in constant time); without one they answer 403. */
  readonly adminToken?: string
  /** What the engine's alert handlers heard; served to each client at `GET /api/billing/alerts`. */
  readonly alerts: AlertLog
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

/** Credits at or below which a prepaid balance is low: the engine's `alerts.lowBalance` and the dashboard's notice. */
export const LOW_BALANCE = 10

/**
 * The demo's Express app: frappy's two endpoints (1 and 5 credits) behind `billingMiddleware`, the
 * status and daily-usage routes that feed the dashboard, an admin route that changes a client's plan
 * at run time, and the built dashboard. With `testClock` (tests only) also `PUT /api/test/clock`.
 */
export function createDemoApp(options: DemoAppOptions): express.Express {
  const { billing, clients } = options
  const admin = new AdminToken(options.adminToken)
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '16kb' }))

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true })
  })
  app.get('/api/demo/clients', (_req, res) => {
    res.json({ clients: clients.list() })
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

  // The caller's own usage as CSV or NDJSON (the dashboard's download): every API key may read its own.
  app.get(
    '/api/billing/usage/export',
    usageExportHandler(billing, { authorize: () => true, clientId: apiKey }),
  )
  app.get('/api/billing/balance', balanceHandler(billing, { clientId: apiKey, lowBalance: LOW_BALANCE }))
  app.get('/api/billing/alerts', (req, res) => {
    const clientId = apiKey(req)
    res.json({ alerts: clientId === undefined ? [] : options.alerts.list(clientId) })
  })

  app.put('/api/admin/clients/:clientId/plan', planHandler(options, admin))
  app.post('/api/admin/clients/:clientId/credits', topUpHandler(billing, admin))
  if (options.testClock !== undefined) {
    app.put('/api/test/clock', testClockHandler(options.testClock, admin))
  }

  if (options.webRoot !== undefined && existsSync(options.webRoot)) {
    const webRoot = options.webRoot
    app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }))
    app.get(/^(?!\/api\/).*/, (_req, res) => res.sendFile(join(webRoot, 'index.html')))
  }
  app.use('/api', (_req, res) => problem(res, 404, 'Not found', 'No such API route.'))
  return app
}

/**
 * `PUT /api/admin/clients/:clientId/plan`: writes the client's new plan (by name, with optional overrides,
 * or inline) into the clients file and drops this instance's cached answer, so its next request here is
 * measured against the new plan; other instances follow within their `clientCache.ttlMs`. Answers with the
 * plan as this instance now resolves it.
 */
function planHandler(options: DemoAppOptions, admin: AdminToken): RequestHandler {
  const { billing, plans, clients } = options
  return async (req, res) => {
    if (!admin.authorizes(req.get('authorization'))) {
      forbidden(res)
      return
    }
    const clientId = req.params.clientId
    try {
      assertClientId(clientId)
      clients.setPlan(clientId, planChangeFrom(req.body, plans.plans))
      billing.invalidateClient(clientId)
      res.json({ clientId, quotas: await billing.resolveClientQuotas(clientId) })
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      billingError(res, error)
    }
  }
}

/**
 * `POST /api/admin/clients/:clientId/credits` with `{ credits, expiresAt?, note?, idempotencyKey? }`: grants
 * prepaid credits (a top-up; in a real application, your payment webhook). Answers `201` with the grant.
 */
function topUpHandler(billing: ApiBilling, admin: AdminToken): RequestHandler {
  return async (req, res) => {
    if (!admin.authorizes(req.get('authorization'))) {
      forbidden(res)
      return
    }
    const { credits, expiresAt, note, idempotencyKey } = (req.body ?? {}) as Record<string, unknown>
    try {
      const expires = typeof expiresAt === 'string' ? new Date(expiresAt) : expiresAt
      const grant = await billing.grantCredits(req.params.clientId as string, credits as number, {
        ...(expires === undefined ? {} : { expiresAt: expires as Date }),
        ...(note === undefined ? {} : { note: note as string }),
        ...(idempotencyKey === undefined ? {} : { idempotencyKey: idempotencyKey as string }),
      })
      res.status(201).json(grant)
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      billingError(res, error)
    }
  }
}

/** `PUT /api/test/clock` with `{ "at": "<ISO-8601>" }`: sets the test clock; answers `{ now }`. */
function testClockHandler(clock: DemoTestClock, admin: AdminToken): RequestHandler {
  return (req, res) => {
    if (!admin.authorizes(req.get('authorization'))) {
      forbidden(res)
      return
    }
    const { at } = (req.body ?? {}) as { at?: unknown }
    const instant = typeof at === 'string' ? new Date(at) : undefined
    if (instant === undefined || Number.isNaN(instant.getTime())) {
      billingError(res, new InvalidArgumentError('at', 'expected { "at": "<ISO-8601 instant>" }'))
      return
    }
    clock.set(instant)
    res.json({ now: clock.now().toISOString() })
  }
}

function forbidden(res: Response): void {
  problem(
    res,
    403,
    'Forbidden',
    'Send "Authorization: Bearer <ADMIN_TOKEN>" (the demo prints its token at start-up).',
  )
}

/** A billing error as problem+json with its own status (400 for bad input, 503 for a failed lookup). */
function billingError(res: Response, error: BillingError): void {
  res.status(error.status).type(PROBLEM_CONTENT_TYPE).json(billingErrorProblem(error))
}

function problem(res: Response, status: number, title: string, detail: string): void {
  res.status(status).type(PROBLEM_CONTENT_TYPE).json({ type: 'about:blank', title, status, detail })
}
