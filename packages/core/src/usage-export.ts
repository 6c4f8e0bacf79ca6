import { Temporal } from 'temporal-polyfill'
import type { CreditScale } from './credit-scale.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { toStoreUnavailableError } from './errors/to-store-unavailable-error.js'
import { LEDGER_BUCKET_MS } from './ledger-bucket.js'
import type { ScannedBucket } from './usage-scan.js'
import type { UsageStore } from './usage-store.js'
import { assertTimeZone, describeValue, toEpochMs } from './validate.js'

/** The length of one exported period: a local clock hour or a local calendar day. */
export type UsageGranularity = 'hour' | 'day'

/** Options of {@link exportUsage}. */
export interface UsageExportOptions {
  /** First instant exported (rounded up to the ledger's 15-minute buckets). */
  readonly from: Date
  /** First instant not exported (rounded up to the ledger's 15-minute buckets). */
  readonly to: Date
  /** One row per client and local hour or local day. Default `'day'`. */
  readonly granularity?: UsageGranularity
  /** IANA time zone whose hours and days are the periods. Default `'UTC'`. */
  readonly timeZone?: string
  /** Ledger buckets read from the store per call (memory stays at about one page). Default 1000. */
  readonly pageSize?: number
  /**
   * Only this client's usage (its own invoice or download): the scan starts at the client's first bucket
   * and stops after its last one. Default: every client.
   */
  readonly clientId?: string
}

/** One client's usage in one period: the sum of its ledger buckets there, in credits (exact). */
export interface UsageRow {
  readonly clientId: string
  /** Start of the period, clipped to the export's range. */
  readonly start: Date
  /** End of the period (exclusive), clipped to the export's range. */
  readonly end: Date
  /** Credits charged in the period, net of refunds. */
  readonly credits: number
  /** The part of `credits` paid from prepaid grants. */
  readonly fromBalance: number
  /** The part of `credits` billed as overage. */
  readonly overage: number
}

/** Ledger buckets per store call when {@link UsageExportOptions.pageSize} is not given. */
export const DEFAULT_EXPORT_PAGE_SIZE = 1000

const GRANULARITIES: readonly string[] = ['hour', 'day']
/** Periods remembered by bucket start; the cache is emptied when it grows past this. */
const PERIOD_CACHE_LIMIT = 10_000

interface ExportPlan {
  readonly from: number
  readonly to: number
  readonly pageSize: number
  readonly clientId: string | undefined
  readonly periodOf: (bucketStart: number) => Period
}

interface Period {
  readonly start: number
  readonly end: number
}

interface OpenRow {
  readonly clientId: string
  readonly start: number
  readonly end: number
  credits: number
  fromBalance: number
  overage: number
}

/**
 * Every client's usage in `[from, to)`: one row per client and local hour or day of `timeZone` that has
 * credits, ordered by client (the store's byte-wise order) then start. Rows are sums of the store's
 * 15-minute ledger buckets (whole periods in every time zone, :30 and :45 offsets included), so they are
 * exact and agree with `getTotalUsage`. The store is read `pageSize` buckets at a time; a period that
 * straddles two pages still comes out as one row. `from` and `to` are rounded up to bucket boundaries and
 * a row's `start`/`end` are clipped to them, so a partial first or last period says so.
 *
 * Validates at once (throws before anything is read); the store is read as the result is iterated.
 * Iterating a period that is still open gives its usage so far: export closed periods for invoicing.
 * @throws InvalidArgumentError for invalid dates, `to` before `from`, an unknown granularity or time zone,
 * or a page size that is not a positive integer. Iterating rejects with `StoreUnavailableError` when the
 * store fails.
 */
export function exportUsage(
  store: UsageStore,
  scale: CreditScale,
  options: UsageExportOptions,
): AsyncGenerator<UsageRow, void, undefined> {
  return exportRows(store, scale, toExportPlan(options))
}

function toExportPlan(options: UsageExportOptions): ExportPlan {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`)
  }
  const from = toEpochMs(options.from, 'options.from')
  const to = toEpochMs(options.to, 'options.to')
  if (to < from) throw new InvalidArgumentError('options.to', 'must not be before options.from')
  const granularity = options.granularity ?? 'day'
  if (typeof granularity !== 'string' || !GRANULARITIES.includes(granularity)) {
    throw new InvalidArgumentError(
      'options.granularity',
      `expected 'hour' or 'day', got ${describeValue(granularity)}`,
    )
  }
  const timeZone = options.timeZone ?? 'UTC'
  assertTimeZone(timeZone, 'options.timeZone')
  const pageSize = options.pageSize ?? DEFAULT_EXPORT_PAGE_SIZE
  if (typeof pageSize !== 'number' || !Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new InvalidArgumentError(
      'options.pageSize',
      `expected a positive whole number, got ${describeValue(pageSize)}`,
    )
  }
  const { clientId } = options
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) {
    throw new InvalidArgumentError(
      'options.clientId',
      `expected a non-empty string, got ${describeValue(clientId)}`,
    )
  }
  return {
    from: ceilToBucket(from),
    to: ceilToBucket(to),
    pageSize,
    clientId,
    periodOf: cachedPeriods(granularity as UsageGranularity, timeZone),
  }
}

async function* exportRows(
  store: UsageStore,
  scale: CreditScale,
  plan: ExportPlan,
): AsyncGenerator<UsageRow, void, undefined> {
  // One client: resume just before its first bucket in the range, and stop at the next client.
  let after: Pick<ScannedBucket, 'clientId' | 'start'> | undefined =
    plan.clientId === undefined ? undefined : { clientId: plan.clientId, start: plan.from - 1 }
  let open: OpenRow | undefined
  for (;;) {
    const page = await scanPage(store, plan, after)
    let done = false
    for (const bucket of page) {
      if (plan.clientId !== undefined && bucket.clientId !== plan.clientId) {
        done = true
        break
      }
      if (open !== undefined && (bucket.clientId !== open.clientId || bucket.start >= open.end)) {
        if (open.credits !== 0) yield toUsageRow(open, scale)
        open = undefined
      }
      if (open === undefined) open = openRow(bucket, plan)
      open.credits += bucket.credits
      open.fromBalance += bucket.fromBalance
      open.overage += bucket.overage
    }
    after = page[page.length - 1]
    if (done || after === undefined || page.length < plan.pageSize) break
  }
  if (open !== undefined && open.credits !== 0) yield toUsageRow(open, scale)
}

async function scanPage(
  store: UsageStore,
  plan: ExportPlan,
  after: Pick<ScannedBucket, 'clientId' | 'start'> | undefined,
): Promise<readonly ScannedBucket[]> {
  const { from, to, pageSize: limit } = plan
  try {
    return await store.scanUsage(
      after === undefined
        ? { from, to, limit }
        : { from, to, limit, after: { clientId: after.clientId, start: after.start } },
    )
  } catch (error) {
    throw toStoreUnavailableError(error, 'Usage store failed during exportUsage')
  }
}

function openRow(bucket: ScannedBucket, plan: ExportPlan): OpenRow {
  const period = plan.periodOf(bucket.start)
  return {
    clientId: bucket.clientId,
    start: Math.max(period.start, plan.from),
    end: Math.min(period.end, plan.to),
    credits: 0,
    fromBalance: 0,
    overage: 0,
  }
}

function toUsageRow(open: OpenRow, scale: CreditScale): UsageRow {
  return {
    clientId: open.clientId,
    start: new Date(open.start),
    end: new Date(open.end),
    credits: scale.toCredits(open.credits),
    fromBalance: scale.toCredits(open.fromBalance),
    overage: scale.toCredits(open.overage),
  }
}

function ceilToBucket(ms: number): number {
  return Math.ceil(ms / LEDGER_BUCKET_MS) * LEDGER_BUCKET_MS
}

/** {@link localPeriod}, remembered by bucket start (clients repeat the same periods). */
function cachedPeriods(granularity: UsageGranularity, timeZone: string): (bucketStart: number) => Period {
  const cache = new Map<number, Period>()
  return (bucketStart) => {
    let period = cache.get(bucketStart)
    if (period === undefined) {
      if (cache.size >= PERIOD_CACHE_LIMIT) cache.clear()
      period = localPeriod(bucketStart, granularity, timeZone)
      cache.set(bucketStart, period)
    }
    return period
  }
}

/**
 * The local hour or day of `timeZone` that contains the bucket starting at `bucketStart`: from the local
 * wall-clock hour (or date) to the next one, each resolved as Temporal's "compatible" does (a start in a
 * DST gap moves forward by the gap; a repeated hour takes its earlier instant, so a fall-back hour and its
 * repeat are one two-hour period).
 */
function localPeriod(bucketStart: number, granularity: UsageGranularity, timeZone: string): Period {
  const wall = Temporal.Instant.fromEpochMilliseconds(bucketStart).toZonedDateTimeISO(timeZone)
  let start: number
  let end: number
  if (granularity === 'day') {
    const date = wall.toPlainDate()
    start = date.toZonedDateTime({ timeZone }).epochMilliseconds
    end = date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds
  } else {
    const hour = wall.toPlainDateTime().round({ smallestUnit: 'hour', roundingMode: 'floor' })
    start = hour.toZonedDateTime(timeZone).epochMilliseconds
    end = hour.add({ hours: 1 }).toZonedDateTime(timeZone).epochMilliseconds
  }
  // Whole buckets by construction; the clamps only keep a bucket inside its period in a zone's oddest DST rule.
  return { start: Math.min(start, bucketStart), end: Math.max(end, bucketStart + LEDGER_BUCKET_MS) }
}
