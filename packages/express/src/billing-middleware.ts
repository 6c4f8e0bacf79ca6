import {
  type ApiBilling,
  type Decision,
  InsufficientCreditsError,
  QuotaExceededError,
  type RateLimitHeaderOptions,
  StoreUnavailableError,
} from '@x/api-billing-core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { applyBillingHeaders } from './apply-billing-headers.js'
import { type ClientIdResolver, checkClientId, isThenable } from './client-id-resolver.js'
import {
  checkBilling,
  checkClientIdOption,
  checkHeadersOption,
  checkOptionalBoolean,
  checkOptionalErrorStatus,
  checkOptionalFunction,
  optionError,
} from './option-checks.js'
import { sendBillingError } from './send-billing-error.js'

/** Decides, once the response has ended, whether the request failed and its charge goes back. */
export type RefundPredicate = (req: Request, res: Response) => boolean

/** Options of {@link billingMiddleware}. */
export interface BillingMiddlewareOptions {
  /** Reads the caller's client id from the request (required). Missing → 401. */
  readonly clientId: ClientIdResolver
  /**
   * Credits a request costs: a number ≥ 0, or a function of the request (may be async). Fractions such
   * as `0.5` need the engine's `creditScale` (a cost finer than it is refused with 400, as are a function's
   * negative, NaN or infinite results); a function that throws passes its error to `next(err)` (a
   * `BillingError` is answered with its own status). Default 1.
   */
  readonly cost?: number | ((req: Request) => number | Promise<number>)
  /** Which rate-limit headers to send. Default: both the standard and the legacy set. */
  readonly headers?: RateLimitHeaderOptions
  /**
   * Status of the answer when only the prepaid balance stopped a request (`decision.rejectedBy ===
   * 'balance'`): an HTTP error status from 400 to 599. Default `402` (Payment Required). A quota
   * rejection is always `429`.
   */
  readonly insufficientCreditsStatus?: number
  /**
   * When the usage store is unavailable, let the request through uncharged (reported to `onError`)
   * instead of answering 503. Default `false` (fail closed).
   */
  readonly failOpen?: boolean
  /**
   * Gives the charge back when the request failed: `true` refunds when the response ends with a status
   * of 500 or more (an error thrown in a handler or passed to `next(err)` ends so under Express's
   * default error handler); a function decides itself once the response has ended or the connection
   * closed. Never for a 4xx, an aborted connection (unless the function says so) or an idempotent
   * replay. At most once per charge. Default `false`.
   */
  readonly refundOnError?: boolean | RefundPredicate
  /**
   * Reads an idempotency key, e.g. `(req) => req.get('idempotency-key')`: a retried request with the
   * same key (and client) is charged once. Default: none.
   */
  readonly idempotencyKey?: (req: Request) => string | undefined | Promise<string | undefined>
  /**
   * Told about problems that do not change the response: a store outage let through by `failOpen`, a
   * failed refund. Default: `console.warn`.
   */
  readonly onError?: (error: unknown, req: Request) => void
}

const FACTORY = 'billingMiddleware'

/**
 * Express middleware that charges each request to its client's quota windows before the handler runs
 * (frappy's `track_client_usage`, in front of your routes).
 *
 * - allowed: sets `RateLimit-Policy`, `RateLimit` and `X-RateLimit-*`, stores the decision in
 *   `res.locals.billing` (see `getBillingDecision`) and calls `next()`;
 * - exhausted: 429 with those headers, `Retry-After` and an `application/problem+json` body (or, when
 *   an earlier middleware already sent the headers, `next(QuotaExceededError)`);
 * - refused only by the prepaid balance: 402 (`insufficientCreditsStatus`) with those headers, no
 *   `Retry-After`, and a problem body with the credits needed and available (or
 *   `next(InsufficientCreditsError)`);
 * - no client id 401, unknown client 403, invalid cost 400, store unavailable 503 (or through, with
 *   `failOpen`); an error thrown by an option function other than a `BillingError` goes to `next(err)`.
 *
 * @throws TypeError at construction when an option is invalid, saying which and what was expected.
 * @example
 * app.get('/api/fetch-data', billingMiddleware(billing, { clientId: (req) => req.get('x-api-key') }), handler)
 */
export function billingMiddleware(billing: ApiBilling, options: BillingMiddlewareOptions): RequestHandler {
  checkOptions(billing, options)
  const { cost = 1, refundOnError = false } = options
  const shouldRefund: RefundPredicate | undefined =
    refundOnError === true ? endedInServerError : refundOnError || undefined
  const onError = options.onError ?? warn
  const headers = options.headers ?? {}
  const errorOptions = { ...headers, insufficientCreditsStatus: options.insufficientCreditsStatus }

  const charge = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let decision: Decision
    try {
      // Option functions may be async; a plain value is used as it is, without a microtask per await.
      const id = options.clientId(req)
      const clientId = checkClientId(isThenable(id) ? await id : id)
      let credits = typeof cost === 'function' ? cost(req) : cost
      if (isThenable(credits)) credits = await credits
      let idempotencyKey = options.idempotencyKey?.(req)
      if (isThenable(idempotencyKey)) idempotencyKey = await idempotencyKey
      decision = await billing.tryTrackClientUsage(
        clientId,
        credits,
        idempotencyKey === undefined ? undefined : { idempotencyKey },
      )
    } catch (error) {
      if (error instanceof StoreUnavailableError && options.failOpen === true) {
        onError(error, req)
        next()
      } else if (!sendBillingError(res, error, errorOptions)) {
        next(error)
      }
      return
    }
    res.locals.billing = decision
    if (!decision.allowed) {
      const refused =
        decision.rejectedBy === 'balance'
          ? new InsufficientCreditsError(decision)
          : new QuotaExceededError(decision)
      if (!sendBillingError(res, refused, errorOptions)) next(refused)
      return
    }
    applyBillingHeaders(res, decision, headers)
    if (shouldRefund !== undefined) refundWhenFailed(billing, decision, req, res, shouldRefund, onError)
    next()
  }

  return (req, res, next) => {
    charge(req, res, next).catch(next)
  }
}

/** Throws a self-explaining `TypeError` for the first invalid option. */
function checkOptions(billing: ApiBilling, options: BillingMiddlewareOptions): void {
  checkBilling(FACTORY, billing)
  checkClientIdOption(FACTORY, options)
  const { cost } = options
  if (
    cost !== undefined &&
    typeof cost !== 'function' &&
    !(typeof cost === 'number' && Number.isFinite(cost) && cost >= 0)
  ) {
    throw optionError(FACTORY, 'options.cost', 'a number of credits ≥ 0 or a function (req) => number', cost)
  }
  checkHeadersOption(FACTORY, options.headers)
  checkOptionalErrorStatus(FACTORY, 'options.insufficientCreditsStatus', options.insufficientCreditsStatus)
  checkOptionalBoolean(FACTORY, 'options.failOpen', options.failOpen)
  checkOptionalFunction(
    FACTORY,
    'options.idempotencyKey',
    options.idempotencyKey,
    "(req) => req.get('idempotency-key')",
  )
  checkOptionalFunction(FACTORY, 'options.onError', options.onError, '(error) => logger.warn(error)')
  const { refundOnError } = options
  if (
    refundOnError !== undefined &&
    typeof refundOnError !== 'boolean' &&
    typeof refundOnError !== 'function'
  ) {
    throw optionError(
      FACTORY,
      'options.refundOnError',
      'true, false or a function (req, res) => boolean',
      refundOnError,
    )
  }
}

function endedInServerError(_req: Request, res: Response): boolean {
  return res.statusCode >= 500
}

function warn(error: unknown): void {
  console.warn('[@x/api-billing-express]', error)
}

/** Once the response has ended (or its connection closed), refunds the charge if `failed` says so. */
function refundWhenFailed(
  billing: ApiBilling,
  decision: Decision,
  req: Request,
  res: Response,
  failed: RefundPredicate,
  onError: (error: unknown, req: Request) => void,
): void {
  if (decision.replayed || decision.chargeId === undefined) return
  const settle = (): void => {
    res.off('finish', settle)
    res.off('close', settle)
    try {
      if (failed(req, res)) billing.refund(decision).catch((error: unknown) => onError(error, req))
    } catch (error) {
      onError(error, req)
    }
  }
  res.on('finish', settle)
  res.on('close', settle)
}
