import { type MeasureOptions, measureOps, median, type Operation, type RunSample } from './measure.js'

/** A prepared contestant: its operation, and how to release what it holds. */
export interface Runner {
  readonly op: Operation
  close(): Promise<void>
}

/** One side of a comparison: ours or a peer doing the same work. */
export interface Contestant {
  /** Shown in the table, e.g. `ApiBilling + MemoryUsageStore`. */
  readonly name: string
  /** `true` for API Billing; ratios are ours ÷ each peer. */
  readonly ours: boolean
  /** Builds the contestant (store, tables, clients); called once per scenario. */
  setup(): Promise<Runner>
}

/** A workload measured for every contestant in the same process run. */
export interface Scenario {
  /** The table's first column: `memory`, `sqlite`, `postgres`, … */
  readonly suite: string
  /** What is done, e.g. `1 window` or `3 windows`. */
  readonly name: string
  readonly contestants: readonly Contestant[]
  readonly measure: MeasureOptions
  /** Unmeasured time each contestant runs first (JIT, caches, pools). */
  readonly warmupMs: number
}

/** A contestant's result in a scenario: medians over its runs, with the spread of throughput. */
export interface ContestResult {
  readonly suite: string
  readonly scenario: string
  readonly contestant: string
  readonly ours: boolean
  readonly unit: 'ops/s' | 'req/s'
  readonly median: number
  readonly min: number
  readonly max: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly runs: readonly RunSample[]
  /** Ours ÷ peer median throughput, per peer (only on our rows). */
  readonly ratios: Readonly<Record<string, number>>
  /** Set when the contestant could not run; then the numbers are 0. */
  readonly skipped?: string
}

/** Summarises runs into one result row (ratios filled in by {@link withRatios}). */
export function summarise(
  suite: string,
  scenario: string,
  contestant: { name: string; ours: boolean },
  runs: readonly RunSample[],
  unit: ContestResult['unit'] = 'ops/s',
): ContestResult {
  const throughput = runs.map((r) => r.opsPerSec)
  return {
    suite,
    scenario,
    contestant: contestant.name,
    ours: contestant.ours,
    unit,
    median: median(throughput),
    min: Math.min(...throughput),
    max: Math.max(...throughput),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    runs,
    ratios: {},
  }
}

/** Adds to each of our rows its ratio to every peer row of the same suite and scenario. */
export function withRatios(results: readonly ContestResult[]): ContestResult[] {
  return results.map((row) => {
    if (!row.ours || row.skipped) return row
    const ratios: Record<string, number> = {}
    for (const peer of results) {
      if (peer.ours || peer.skipped || peer.suite !== row.suite || peer.scenario !== row.scenario) continue
      if (peer.median > 0) ratios[peer.contestant] = row.median / peer.median
    }
    return { ...row, ratios }
  })
}

/**
 * Measures every contestant of `scenario` `runs` times, alternating the order run by run (forward,
 * then backward) so that neither side always runs on a warmer or more fragmented heap.
 */
export async function runScenario(scenario: Scenario, runs: number, log: (line: string) => void) {
  const prepared: { contestant: Contestant; runner: Runner; samples: RunSample[] }[] = []
  try {
    for (const contestant of scenario.contestants) {
      prepared.push({ contestant, runner: await contestant.setup(), samples: [] })
    }
    for (const entry of prepared) {
      await measureOps(entry.runner.op, { ...scenario.measure, durationMs: scenario.warmupMs })
    }
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? prepared : [...prepared].reverse()
      for (const entry of order) {
        globalThis.gc?.()
        const sample = await measureOps(entry.runner.op, scenario.measure)
        entry.samples.push(sample)
        log(
          `  ${scenario.suite} / ${scenario.name} / ${entry.contestant.name}: run ${run + 1}: ${Math.round(sample.opsPerSec)} ops/s`,
        )
      }
    }
  } finally {
    for (const entry of prepared) await entry.runner.close().catch(() => undefined)
  }
  return prepared.map((e) => summarise(scenario.suite, scenario.name, e.contestant, e.samples))
}
