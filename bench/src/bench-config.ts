/** Run lengths of one `pnpm bench` invocation. */
export interface BenchConfig {
  /** `--quick`: short runs for a smoke test. */
  readonly quick: boolean
  /** Timed runs per contestant (the median is reported). */
  readonly runs: number
  /** Length of one timed run of an in-process workload, ms. */
  readonly runMs: number
  /** Length of one timed run against a database server, ms. */
  readonly ioRunMs: number
  /** Length of one autocannon run, s. */
  readonly httpRunSeconds: number
  /** Clients created for the memory-footprint measurement (reported per 1 M). */
  readonly footprintClients: number
  /** Prints progress. */
  readonly log: (line: string) => void
}

/** The full run (about 4–5 minutes on 2 cores) or `--quick` (well under a minute per suite). */
export function benchConfig(quick: boolean, log: (line: string) => void): BenchConfig {
  return quick
    ? { quick, runs: 2, runMs: 300, ioRunMs: 400, httpRunSeconds: 1, footprintClients: 50_000, log }
    : { quick, runs: 5, runMs: 1_000, ioRunMs: 1_000, httpRunSeconds: 3, footprintClients: 1_000_000, log }
}
