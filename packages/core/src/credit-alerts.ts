import type { CreditScale } from './credit-scale.js'
import type { Decision } from './decision.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import type { QuotaDuration } from './quota-duration.js'
import { describeValue } from './validate.js'

/** A window's usage crossed one of the `alerts.thresholds`. */
export interface ThresholdEvent {
  readonly clientId: string
  /** The window whose usage crossed the line. */
  readonly duration: QuotaDuration
  /** The threshold crossed, as given (e.g. `0.8`). */
  readonly threshold: number
  /** Credits used in the window after the charge that crossed it. */
  readonly used: number
  /** The window's credit limit. */
  readonly limit: number
  /** First instant of the window. */
  readonly windowStart: Date
  /** When the window's credits renew. */
  readonly resetAt: Date
  /** The instant of the charge. */
  readonly at: Date
}

/** The prepaid balance fell to or below `alerts.lowBalance`. */
export interface LowBalanceEvent {
  readonly clientId: string
  /** Credits available after the charge that crossed the line. */
  readonly available: number
  /** The `alerts.lowBalance` line. */
  readonly lowBalance: number
  /** The instant of the charge. */
  readonly at: Date
}

/**
 * Usage alerts, option `alerts` of `ApiBilling`. They fire on the instance whose charge crossed the
 * line, once per crossing, with no extra store write: the store's answer tells each charge the exact
 * `used` (and balance) it produced, so exactly one charge sees the line crossed. A refund back below the
 * line lets it fire again. Handlers run after the answer is decided, off the request's path.
 */
export interface CreditAlertOptions {
  /**
   * Fractions of a window's limit (e.g. `[0.8, 1]`) at which {@link onThreshold} fires: when a charge
   * moves `used` from below `threshold × limit` to at or above it, in a window whose limit is above 0 and
   * finite. Values above 1 watch overage. Default: none.
   */
  readonly thresholds?: readonly number[]
  /** Told about each threshold crossing. May return a promise; its rejection goes to {@link onError}. */
  readonly onThreshold?: (event: ThresholdEvent) => void | Promise<void>
  /**
   * Credits of prepaid balance at or below which {@link onLowBalance} fires, when a charge moves the
   * balance from above it to at or below it. Default: none.
   */
  readonly lowBalance?: number
  /** Told about each low-balance crossing. May return a promise; its rejection goes to {@link onError}. */
  readonly onLowBalance?: (event: LowBalanceEvent) => void | Promise<void>
  /** Told about errors thrown by the handlers. Default: `console.error`. Never fails a request. */
  readonly onError?: (error: unknown) => void
}

type Handler<E> = ((event: E) => void | Promise<void>) | undefined

/** Checks a decision for crossed lines and runs the handlers in a later microtask. */
export class CreditAlerts {
  private readonly thresholds: readonly number[]
  private readonly lowBalance: number | undefined
  private readonly onError: (error: unknown) => void

  /** Lines are compared in `scale`'s whole units, so that two charges never both see one crossing. */
  constructor(
    private readonly options: CreditAlertOptions,
    private readonly scale: CreditScale,
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('options.alerts', `expected an object, got ${describeValue(options)}`)
    }
    this.thresholds = checkedThresholds(options.thresholds)
    this.lowBalance = checkedLowBalance(options.lowBalance)
    for (const name of ['onThreshold', 'onLowBalance', 'onError'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new InvalidArgumentError(
          `options.alerts.${name}`,
          `expected a function, got ${describeValue(options[name])}`,
        )
      }
    }
    this.onError =
      options.onError ?? ((error) => console.error('api-billing: an alert handler failed', error))
  }

  /** Fires what the allowed, fresh charge `decision` crossed. */
  afterCharge(decision: Decision): void {
    const units = (credits: number) => Math.round(credits * this.scale.factor)
    const cost = units(decision.cost)
    if (this.options.onThreshold !== undefined) {
      for (const w of decision.windows) {
        if (!(w.limit > 0) || w.limit === Number.POSITIVE_INFINITY) continue
        const used = units(w.used)
        for (const threshold of this.thresholds) {
          const line = threshold * units(w.limit)
          if (used - cost < line && used >= line) {
            this.fire(this.options.onThreshold, {
              clientId: decision.clientId,
              duration: w.duration,
              threshold,
              used: w.used,
              limit: w.limit,
              windowStart: w.start,
              resetAt: w.resetAt,
              at: decision.at,
            })
          }
        }
      }
    }
    const { balance } = decision
    if (this.lowBalance === undefined || balance === undefined || decision.fromBalance === 0) return
    const after = units(balance)
    const line = this.lowBalance * this.scale.factor
    if (after + units(decision.fromBalance) > line && after <= line) {
      this.fire(this.options.onLowBalance, {
        clientId: decision.clientId,
        available: balance,
        lowBalance: this.lowBalance,
        at: decision.at,
      })
    }
  }

  /** Runs `handler(event)` after the current request; its errors and rejections go to `onError`. */
  private fire<E>(handler: Handler<E>, event: E): void {
    if (handler === undefined) return
    later(() => {
      try {
        const result = handler(event)
        if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
          ;(result as Promise<void>).then(undefined, this.onError)
        }
      } catch (error) {
        this.onError(error)
      }
    })
  }
}

/**
 * Runs `task` in a later turn of the event loop (Node's `setImmediate`, else `setTimeout`), so that a
 * slow handler never delays the request whose charge crossed the line.
 */
const later: (task: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (task) => void setImmediate(task)
    : (task) => void setTimeout(task, 0)

function checkedThresholds(value: unknown): readonly number[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'number' || !Number.isFinite(t) || t <= 0)) {
    throw new InvalidArgumentError(
      'options.alerts.thresholds',
      `expected positive fractions of a window's limit, e.g. [0.8, 1], got ${describeValue(value)}`,
    )
  }
  return [...new Set(value as number[])].sort((a, b) => a - b)
}

function checkedLowBalance(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      'options.alerts.lowBalance',
      `expected a non-negative number of credits, got ${describeValue(value)}`,
    )
  }
  return value
}
