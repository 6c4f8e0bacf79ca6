import { Temporal } from 'temporal-polyfill'
import { type CreditScale, WHOLE_CREDITS } from './credit-scale.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { ImmutableDate } from './immutable-date.js'
import type { QuotaDefinition, QuotaOverflow } from './quota-definition.js'
import { isQuotaDuration, QUOTA_DURATIONS, type QuotaDuration } from './quota-duration.js'
import { UNLIMITED } from './unlimited.js'
import type { StoreWindow } from './usage-store.js'
import { assertTimeZone, describeValue, toEpochMs } from './validate.js'

const FIXED_MS: Partial<Record<QuotaDuration, number>> = { second: 1_000, minute: 60_000, hour: 3_600_000 }
/** Average lengths, only used to guess which window an instant falls in before checking exactly. */
const APPROX_MS: Partial<Record<QuotaDuration, number>> = {
  day: 86_400_000,
  week: 604_800_000,
  month: 2_629_746_000,
  year: 31_556_952_000,
}
/**
 * Without a `startDate`, windows are anchored at local midnight of 2000-01-01 in the quota's zone
 * (weeks: Monday 2000-01-03, so they run Monday to Monday as ISO weeks do). A recent year rather than
 * 1970, because several zones (Nepal, for one) changed their UTC offset since, and hour windows follow
 * the offset the anchor had.
 */
const DEFAULT_ANCHOR = new Temporal.PlainDateTime(2000, 1, 1)
const DEFAULT_WEEK_ANCHOR = new Temporal.PlainDateTime(2000, 1, 3)
const EMPTY_WINDOW: StoreWindow = Object.freeze({
  duration: 'second',
  start: 0,
  end: 0,
  limit: 0,
  overflow: undefined,
  overageLimit: undefined,
})
const EMPTY_DATE: Date = new ImmutableDate(0)
const CALENDAR_UNIT = { day: 'days', week: 'weeks', month: 'months', year: 'years' } as const

/**
 * A validated quota definition with its window maths ready, and the last window it computed cached:
 * asking for an instant inside that window costs two comparisons, no time-zone work.
 */
export class CompiledQuota {
  readonly duration: QuotaDuration
  /** The limit in stored units (`creditScale` applied). */
  readonly limit: number
  /** What a request past the limit does (default `'reject'`). */
  readonly overflow: QuotaOverflow
  /** Units the window may go past its limit: 0 for `'reject'`, `UNLIMITED` for `'balance'`, the option for `'bill'`. */
  readonly overageLimit: number
  readonly anchorMs: number = 0
  readonly timeZone: string
  /** Cached window `[start, end)`; empty until first use. */
  start = 0
  end = 0
  /** The cached window as the store sees it; replaced (never mutated) when the window changes. */
  window: StoreWindow = EMPTY_WINDOW
  /** The cached window's start and end as read-only Dates, shared by every decision in the window. */
  startDate: Date = EMPTY_DATE
  endDate: Date = EMPTY_DATE
  private anchorLocal: Temporal.PlainDateTime | undefined

  constructor(definition: QuotaDefinition, argument = 'definition', scale: CreditScale = WHOLE_CREDITS) {
    if (typeof definition !== 'object' || definition === null) {
      throw new InvalidArgumentError(
        argument,
        `expected a quota definition object, got ${describeValue(definition)}`,
      )
    }
    const { duration, creditLimit, startDate, timeZone = 'UTC' } = definition
    if (!isQuotaDuration(duration)) {
      throw new InvalidArgumentError(
        `${argument}.duration`,
        `expected one of ${QUOTA_DURATIONS.join(', ')}, got ${describeValue(duration)}`,
      )
    }
    assertTimeZone(timeZone, `${argument}.timeZone`)
    this.duration = duration
    this.limit = toLimitUnits(creditLimit, `${argument}.creditLimit`, scale)
    this.overflow = toOverflow(definition.overflow, `${argument}.overflow`)
    this.overageLimit = toOverageLimit(definition, this.overflow, `${argument}.overageLimit`, scale)
    this.timeZone = timeZone
    if (startDate === undefined) {
      this.anchorLocal = duration === 'week' ? DEFAULT_WEEK_ANCHOR : DEFAULT_ANCHOR
      this.anchorMs = this.calendarStart(0)
    } else {
      this.anchorMs = toEpochMs(startDate, `${argument}.startDate`)
    }
  }

  /** Updates the cached window so that it contains `at` (epoch ms), recomputing only when it does not. */
  windowAt(at: number): this {
    if (at < this.start || at >= this.end) this.compute(at)
    return this
  }

  private compute(at: number): void {
    const fixed = FIXED_MS[this.duration]
    if (fixed !== undefined) {
      const n = Math.floor((at - this.anchorMs) / fixed)
      this.start = this.anchorMs + n * fixed
      this.end = this.start + fixed
    } else {
      let n = Math.floor((at - this.anchorMs) / (APPROX_MS[this.duration] as number))
      while (this.calendarStart(n) > at) n--
      while (this.calendarStart(n + 1) <= at) n++
      this.start = this.calendarStart(n)
      this.end = this.calendarStart(n + 1)
    }
    // Every window has the same six own properties, `overflow` and `overageLimit` too (`undefined` when
    // unused): reading a property a frozen object lacks measured 6 % of a memory-store charge (Node 20).
    this.window = Object.freeze({
      duration: this.duration,
      start: this.start,
      end: this.end,
      limit: this.limit,
      overflow: this.overflow === 'reject' ? undefined : this.overflow,
      overageLimit: this.overflow === 'bill' ? this.overageLimit : undefined,
    })
    this.startDate = new ImmutableDate(this.start)
    this.endDate = new ImmutableDate(this.end)
  }

  /** Start of the n-th calendar window after the anchor, from the anchor each time so it never drifts. */
  private calendarStart(n: number): number {
    this.anchorLocal ??= Temporal.Instant.fromEpochMilliseconds(this.anchorMs)
      .toZonedDateTimeISO(this.timeZone)
      .toPlainDateTime()
    const unit = CALENDAR_UNIT[this.duration as keyof typeof CALENDAR_UNIT] ?? 'days'
    return this.anchorLocal
      .add({ [unit]: n })
      .toZonedDateTime(this.timeZone, { disambiguation: 'compatible' }).epochMilliseconds
  }
}

/** A limit (or overage limit) in stored units; `UNLIMITED` stays as it is. */
function toLimitUnits(value: unknown, argument: string, scale: CreditScale): number {
  if (value === UNLIMITED) return UNLIMITED
  if (scale.factor !== 1 && typeof value === 'number' && Number.isFinite(value))
    return scale.toUnits(value, argument)
  if (typeof value !== 'number' || Number.isNaN(value) || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      argument,
      `expected a non-negative whole number of credits or UNLIMITED, got ${describeValue(value)}`,
    )
  }
  return value
}

const OVERFLOWS: readonly QuotaOverflow[] = ['reject', 'balance', 'bill']

function toOverflow(value: unknown, argument: string): QuotaOverflow {
  if (value === undefined) return 'reject'
  if (!(OVERFLOWS as readonly unknown[]).includes(value)) {
    throw new InvalidArgumentError(
      argument,
      `expected 'reject', 'balance' or 'bill', got ${describeValue(value)}`,
    )
  }
  return value as QuotaOverflow
}

function toOverageLimit(
  definition: QuotaDefinition,
  overflow: QuotaOverflow,
  argument: string,
  scale: CreditScale,
): number {
  const value = definition.overageLimit
  if (overflow !== 'bill') {
    if (value !== undefined) {
      throw new InvalidArgumentError(argument, `only a window with overflow: 'bill' has an overage limit`)
    }
    return overflow === 'reject' ? 0 : UNLIMITED
  }
  const units = value === undefined ? UNLIMITED : toLimitUnits(value, argument, scale)
  if (
    definition.creditLimit !== UNLIMITED &&
    units !== UNLIMITED &&
    !Number.isSafeInteger(units + (definition.creditLimit as number) * scale.factor)
  ) {
    throw new InvalidArgumentError(argument, 'creditLimit + overageLimit is too large to count exactly')
  }
  return units
}

/**
 * Validates a client's plan and compiles it, shortest duration first. Rejects an empty plan and a
 * duration that appears twice. `argument` names the plan in error messages (default `'definitions'`).
 */
export function compilePlan(
  definitions: readonly QuotaDefinition[],
  argument = 'definitions',
  scale: CreditScale = WHOLE_CREDITS,
): ClientPlan {
  if (!Array.isArray(definitions)) {
    throw new InvalidArgumentError(
      argument,
      `expected an array of quota definitions, got ${describeValue(definitions)}`,
    )
  }
  if (definitions.length === 0) {
    throw new InvalidArgumentError(
      argument,
      'a plan needs at least one quota definition (use UNLIMITED for no limit, removeClient to remove a client)',
    )
  }
  const compiled = definitions.map((d, i) => new CompiledQuota(d, `${argument}[${i}]`, scale))
  const modes = new Set(compiled.map((q) => q.overflow).filter((o) => o !== 'reject'))
  if (modes.size > 1) {
    throw new InvalidArgumentError(
      argument,
      "a plan overflows into the balance or into billed overage, not both: use one of 'balance' and 'bill'",
    )
  }
  const seen = new Set<QuotaDuration>()
  for (const quota of compiled) {
    if (seen.has(quota.duration)) {
      throw new InvalidArgumentError(
        argument,
        `the ${quota.duration} duration is defined twice; a plan has at most one definition per duration`,
      )
    }
    seen.add(quota.duration)
  }
  return new ClientPlan(
    compiled.sort((a, b) => QUOTA_DURATIONS.indexOf(a.duration) - QUOTA_DURATIONS.indexOf(b.duration)),
  )
}

/**
 * A plan's windows at one instant, with their bounds as shared read-only Dates (same order). Shared by
 * every charge in those windows and handed to stores: never mutate it (the arrays are not frozen, only
 * typed read-only, so that reading them stays a plain load).
 */
export interface PlanWindows {
  readonly windows: readonly StoreWindow[]
  readonly starts: readonly Date[]
  readonly ends: readonly Date[]
}

/**
 * A client's compiled plan with its current windows cached as one frozen snapshot: while "now" stays
 * inside every cached window, a charge reuses it as it is, allocating nothing.
 */
export class ClientPlan {
  /** Where this plan's windows overflow: `'balance'`, `'bill'`, or `undefined` when every window rejects. */
  readonly overflow: 'balance' | 'bill' | undefined
  private current: PlanWindows = { windows: [], starts: [], ends: [] }
  private validFrom = Number.POSITIVE_INFINITY
  private validUntil = Number.NEGATIVE_INFINITY

  constructor(readonly quotas: readonly CompiledQuota[]) {
    const overflowing = quotas.find((q) => q.overflow !== 'reject')
    this.overflow = overflowing?.overflow as 'balance' | 'bill' | undefined
  }

  /** The plan's windows that contain `at` (epoch ms), shortest duration first. */
  windowsAt(at: number): readonly StoreWindow[] {
    return this.snapshotAt(at).windows
  }

  /** The windows that contain `at` with their Dates; replaced, never mutated, when a window changes. */
  snapshotAt(at: number): PlanWindows {
    return at >= this.validFrom && at < this.validUntil ? this.current : this.moveTo(at)
  }

  /**
   * Makes the snapshot of the windows that contain `at` the current one. Apart from {@link snapshotAt}, so
   * that the check every request makes stays a few bytes of bytecode that V8 inlines into its caller.
   */
  private moveTo(at: number): PlanWindows {
    let from = Number.NEGATIVE_INFINITY
    let until = Number.POSITIVE_INFINITY
    const windows: StoreWindow[] = []
    const starts: Date[] = []
    const ends: Date[] = []
    for (const quota of this.quotas) {
      quota.windowAt(at)
      from = Math.max(from, quota.start)
      until = Math.min(until, quota.end)
      windows.push(quota.window)
      starts.push(quota.startDate)
      ends.push(quota.endDate)
    }
    // Read-only by type, not frozen: V8 (Node 20) reads elements of a frozen array through an inline
    // cache call instead of a plain load, on every charge, in the engine and in the store alike.
    this.current = { windows, starts, ends }
    this.validFrom = from
    this.validUntil = until
    return this.current
  }
}
