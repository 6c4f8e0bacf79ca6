import { UNLIMITED } from '../../unlimited.js'
import type { StoreWindow } from '../../usage-store.js'
import { day } from '../conformance/conformance-fixtures.js'

/**
 * What the multi-process suite asks one charge worker to do, passed as JSON in the worker's first
 * argument. `burst`: `count` concurrent 1-credit charges, then one line `{"granted":[...]}` (the
 * window's `used` of every granted charge) and exit. `stream`: `count` loops charging 1 credit each,
 * one line `ack` after every granted charge, until the worker is killed. `credits`: `count` concurrent
 * 1-credit charges through an engine with the {@link CREDITS_PLAN} and alerts, then one line of
 * {@link CreditsWorkerReport} once the alert handlers have run.
 */
export interface ChargeWorkerOrder<T> {
  readonly mode: 'burst' | 'stream' | 'credits'
  /** Where the store's data lives, as the store's test made it (`createTarget`). */
  readonly target: T
  readonly clientId: string
  /** The credit limit of the one window charged; `null` (JSON has no `Infinity`) is `UNLIMITED`. */
  readonly limit: number | null
  /** Concurrent charges (`burst`) or concurrent loops (`stream`). */
  readonly count: number
}

/** The one window every charge of the suite goes to: the conformance suite's day window. */
export function orderWindow(limit: number | null): StoreWindow {
  return day(limit ?? UNLIMITED)
}

/**
 * The plan of the `credits` mode: pure prepaid (the month overflows into the balance from 0), and a day
 * window of 625 that rejects, so that its 80 % line (500) is crossed by the last credit the balance pays.
 */
export const CREDITS_PLAN = [
  { duration: 'day', creditLimit: 625 },
  { duration: 'month', creditLimit: 0, overflow: 'balance' },
] as const

/** The `alerts` lines of the `credits` mode: the day window's 80 %, and a balance of 100. */
export const CREDITS_ALERTS = { thresholds: [0.8], lowBalance: 100 } as const

/** What a `credits` worker prints. */
export interface CreditsWorkerReport {
  /** The month window's `used` after each granted charge. */
  readonly used: number[]
  /** The balance after each granted charge. */
  readonly balances: number[]
  /** The threshold of every threshold alert this process fired. */
  readonly thresholds: number[]
  /** The available balance of every low-balance alert this process fired. */
  readonly lowBalances: number[]
}
