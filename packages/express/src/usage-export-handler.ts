import {
  type ApiBilling,
  billingErrorProblem,
  InvalidArgumentError,
  type UsageGranularity,
  type UsageRow,
  usageCsv,
} from '@x/api-billing-core'
import type { Request, RequestHandler, Response } from 'express'
import { type ClientIdResolver, resolveClientId } from './client-id-resolver.js'
import { dailyUsageRange } from './daily-usage-range.js'
import { optionError } from './option-checks.js'
import { sendBillingError } from './send-billing-error.js'
import { sendProblem } from './send-problem.js'

/**
 * What an {@link UsageExportHandlerOptions.authorize} function decides: `'allow'` (or `true`) streams the
 * export; `'unauthenticated'` answers 401 (no or bad credentials); `'forbidden'` (or `false`) answers 403
 * (known caller, not allowed to export).
 */
export type UsageExportAccess = 'allow' | 'unauthenticated' | 'forbidden' | boolean

/** Options of {@link usageExportHandler}. */
export interface UsageExportHandlerOptions {
  /**
   * Decides whether the request may read every client's usage (required; may be async). The export
   * covers all clients, so this is an operator's route: see `bearerTokenAuthorizer`. An error it throws
   * goes to `next(err)`.
   */
  readonly authorize: (req: Request) => UsageExportAccess | Promise<UsageExportAccess>
  /** Ledger buckets read from the store per call. Default: core's `DEFAULT_EXPORT_PAGE_SIZE` (1000). */
  readonly pageSize?: number
  /** The `WWW-Authenticate` challenge sent with a 401. Default `'Bearer realm="usage-export"'`. */
  readonly challenge?: string
  /**
   * Exports only the caller's own usage: reads the client id from the request (missing → 401), after
   * `authorize`. For a customer's "download my usage" route. Default: none, every client's usage.
   */
  readonly clientId?: ClientIdResolver
}

const FACTORY = 'usageExportHandler'
const QUERY_PARAMETERS = new Set(['from', 'to', 'timeZone', 'granularity'])
const CSV = 'text/csv'
const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl']

/**
 * A route handler streaming every client's usage (`billing.exportUsage`) for `?from&to&granularity&timeZone`
 * as RFC 4180 CSV (`Accept: text/csv`, a wildcard, or no `Accept`) or NDJSON (`application/x-ndjson`,
 * `application/ndjson` or `application/jsonl`: one JSON row per line). `from` and `to` are required: ISO
 * dates (local days of `timeZone`, `to` inclusive) or instants with an offset (`to` exclusive);
 * `granularity` is `hour` or `day` (default `day`); `timeZone` an IANA name (default UTC).
 *
 * `authorize` runs first (401 with `WWW-Authenticate`, or 403). Then a bad or missing parameter gives 400
 * problem+json naming it (`parameter`), an unsupported `Accept` 406. The first rows are read before the
 * 200 is sent, so a store that is down gives 503; the rest is written as it is read, waiting for the
 * client to drain (memory stays flat), and a client that disconnects stops the export. A store failure
 * after the 200 destroys the connection, so the client sees a broken download rather than a short file.
 * Sends `Cache-Control: no-store`. CSV client ids are defused against spreadsheet formulas (core's
 * `usageCsv`).
 * @throws TypeError at construction when an option is invalid.
 */
export function usageExportHandler(billing: ApiBilling, options: UsageExportHandlerOptions): RequestHandler {
  checkOptions(billing, options)
  const { authorize, pageSize, challenge = 'Bearer realm="usage-export"' } = options
  return (req, res, next) => {
    const answer = async () => {
      const access = await authorize(req)
      if (access !== true && access !== 'allow') return refuse(res, access, challenge)
      const clientId =
        options.clientId === undefined ? undefined : await resolveClientId(req, options.clientId)
      const query = exportQuery(req)
      const type = req.accepts([CSV, ...NDJSON_TYPES])
      if (type === false) return notAcceptable(res)
      const rows = billing.exportUsage({
        ...query,
        ...(pageSize === undefined ? {} : { pageSize }),
        ...(clientId === undefined ? {} : { clientId }),
      })
      const iterator = rows[Symbol.asyncIterator]()
      const first = await iterator.next() // a store that is down fails here, before the 200
      const chunks = type === CSV ? usageCsv(resume(first, iterator)) : ndjson(resume(first, iterator))
      res.status(200).set('Cache-Control', 'no-store')
      res.type(type === CSV ? 'text/csv; charset=utf-8; header=present' : type)
      await streamTo(res, chunks)
    }
    answer()
      .catch((error: unknown) => {
        if (res.headersSent) res.destroy()
        else if (error instanceof InvalidArgumentError && QUERY_PARAMETERS.has(error.argument)) {
          sendProblem(res, { ...billingErrorProblem(error), parameter: error.argument })
        } else if (!sendBillingError(res, error)) next(error)
      })
      .catch(next)
  }
}

function checkOptions(billing: ApiBilling, options: UsageExportHandlerOptions): void {
  if (typeof (billing as Partial<ApiBilling> | null)?.exportUsage !== 'function') {
    throw optionError(FACTORY, 'the first argument', 'an ApiBilling engine', billing)
  }
  if (typeof options !== 'object' || options === null || typeof options.authorize !== 'function') {
    throw optionError(
      FACTORY,
      'options.authorize',
      'a function deciding who may export, e.g. bearerTokenAuthorizer(process.env.EXPORT_TOKEN)',
      (options as { authorize?: unknown } | null)?.authorize,
    )
  }
  const { pageSize, challenge, clientId } = options
  if (clientId !== undefined && typeof clientId !== 'function') {
    throw optionError(
      FACTORY,
      'options.clientId',
      'a function reading the client id from the request',
      clientId,
    )
  }
  if (pageSize !== undefined && !(Number.isSafeInteger(pageSize) && pageSize >= 1)) {
    throw optionError(FACTORY, 'options.pageSize', 'a positive whole number', pageSize)
  }
  if (challenge !== undefined && (typeof challenge !== 'string' || challenge.length === 0)) {
    throw optionError(
      FACTORY,
      'options.challenge',
      'a WWW-Authenticate challenge such as "Bearer"',
      challenge,
    )
  }
}

function refuse(res: Response, access: UsageExportAccess, challenge: string): void {
  if (access === 'unauthenticated') {
    res.set('WWW-Authenticate', challenge)
    sendProblem(res, { type: 'about:blank', title: 'Unauthorized', status: 401 })
  } else if (access === false || access === 'forbidden') {
    sendProblem(res, { type: 'about:blank', title: 'Forbidden', status: 403 })
  } else {
    throw new TypeError(
      `${FACTORY}: options.authorize must return 'allow', 'unauthenticated', 'forbidden' or a boolean; got ${typeof access === 'string' ? JSON.stringify(access) : typeof access}`,
    )
  }
}

function notAcceptable(res: Response): void {
  sendProblem(res, {
    type: 'about:blank',
    title: 'Not Acceptable',
    status: 406,
    detail: `The export is available as ${[CSV, ...NDJSON_TYPES].join(', ')}.`,
  })
}

/** The export's options from the query. @throws InvalidArgumentError naming the bad parameter. */
function exportQuery(req: Request): {
  from: Date
  to: Date
  timeZone: string
  granularity: UsageGranularity
} {
  const query = req.query as Record<string, unknown>
  for (const name of ['from', 'to']) {
    if (query[name] === undefined || query[name] === '') {
      throw new InvalidArgumentError(name, 'is required (an ISO date such as 2026-03-01, or an instant)')
    }
  }
  const granularity = query.granularity ?? 'day'
  if (granularity !== 'day' && granularity !== 'hour') {
    throw new InvalidArgumentError('granularity', "expected 'hour' or 'day'")
  }
  const range = dailyUsageRange(query, new Date(0), 1)
  if (range.to.getTime() < range.from.getTime())
    throw new InvalidArgumentError('to', 'must not be before from')
  return { ...range, granularity }
}

/** `first` (already read) followed by the rest of `rows`; ending early ends `rows` too. */
async function* resume(
  first: IteratorResult<UsageRow, unknown>,
  rows: AsyncIterator<UsageRow, unknown, undefined>,
): AsyncGenerator<UsageRow, void, undefined> {
  if (first.done === true) return
  let finished = false
  try {
    yield first.value
    for (let next = await rows.next(); next.done !== true; next = await rows.next()) yield next.value
    finished = true
  } finally {
    if (!finished) await rows.return?.()
  }
}

async function* ndjson(rows: AsyncIterable<UsageRow>): AsyncGenerator<string, void, undefined> {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`
}

/**
 * Writes `chunks` to `res` and ends it, waiting for `drain` whenever the socket's buffer is full. Writes
 * made in one tick go out together (cork until the next tick). Stops (ending the source) when the
 * client has gone.
 */
async function streamTo(res: Response, chunks: AsyncIterable<string>): Promise<void> {
  let closed = false
  res.once('close', () => {
    closed = true
  })
  for await (const chunk of chunks) {
    if (closed || res.destroyed) return // leaving the loop ends the export's generator: no more store reads
    if (!res.writableCorked) {
      res.cork()
      process.nextTick(() => res.uncork())
    }
    if (!res.write(chunk)) await drainedOrClosed(res)
  }
  if (!closed && !res.destroyed) res.end()
}

function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
