import { UNLIMITED } from '../../unlimited.js'
import type { StoreWindow } from '../../usage-store.js'
import { day } from '../conformance/conformance-fixtures.js'

/**
 * What the multi-process suite asks one charge worker to do, passed as JSON in the worker's first
 * argument. `burst`: `count` concurrent 1-credit charges, then one line `{"granted":[...]}` (the
 * window's `used` of every granted charge) and exit. `stream`: `count` loops charging 1 credit each,
 * one line `ack` after every granted charge, until the worker is killed.
 */
export interface ChargeWorkerOrder<T> {
  readonly mode: 'burst' | 'stream'
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
