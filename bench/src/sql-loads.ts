import type { BenchOperation, WindowCount } from './workload.js'
import { scenarioName } from './workload.js'

/** One load a server-database suite measures: how many windows, and how many charges in flight. */
export interface SqlLoad {
  readonly windows: WindowCount
  readonly concurrency: number
  /** What each call does: a charge, or a status read. */
  readonly operation: BenchOperation
  /** The table's workload column, e.g. `1 window` or `1 window, 4 in flight`. */
  readonly name: string
}

/** Charges in flight in the throughput rows (a busy API instance). */
export const BUSY_IN_FLIGHT = 32

/**
 * The loads of the Postgres and MariaDB suites: throughput at {@link BUSY_IN_FLIGHT} in flight with 1 and
 * 3 windows, then latency at low load (1 and 4 in flight, 1 window), where batching can only cost its
 * wait, then status reads at {@link BUSY_IN_FLIGHT} in flight (a dashboard's polling).
 */
export const SQL_LOADS: readonly SqlLoad[] = [
  { windows: 1, concurrency: BUSY_IN_FLIGHT, operation: 'charge', name: scenarioName(1) },
  { windows: 3, concurrency: BUSY_IN_FLIGHT, operation: 'charge', name: scenarioName(3) },
  { windows: 1, concurrency: 1, operation: 'charge', name: `${scenarioName(1)}, 1 in flight` },
  { windows: 1, concurrency: 4, operation: 'charge', name: `${scenarioName(1)}, 4 in flight` },
  { windows: 1, concurrency: BUSY_IN_FLIGHT, operation: 'status', name: `${scenarioName(1)}, status reads` },
]
