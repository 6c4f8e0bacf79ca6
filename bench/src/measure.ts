import { performance } from 'node:perf_hooks'

/** One timed run of one contestant. */
export interface RunSample {
  /** Operations (or requests) completed per second. */
  readonly opsPerSec: number
  /** Median latency of one operation, ms. */
  readonly p50Ms: number
  /** 99th-percentile latency of one operation, ms. */
  readonly p99Ms: number
}

/** How {@link measureOps} drives an operation. */
export interface MeasureOptions {
  /** How long the run lasts, ms. */
  readonly durationMs: number
  /** Operations in flight at once (each worker awaits its own before starting the next). */
  readonly concurrency: number
  /**
   * Time every n-th operation on its own for the latency percentiles (1 = every one). Sampling keeps
   * the timer's own cost out of the throughput of sub-microsecond operations.
   */
  readonly sampleEvery: number
}

/** The operation under test; `i` is its sequence number (workloads derive the client key from it). */
export type Operation = (i: number) => Promise<unknown>

/** The value at quantile `q` (0..1) of ascending `sorted`; 0 when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index] as number
}

/** Median of the values (not necessarily sorted); 0 when empty. */
export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5)
}

/**
 * Runs `op` for `durationMs` with `concurrency` workers and answers throughput and latency. The deadline
 * is checked after every operation when every one is timed (slow, I/O-bound work), else every 64 (so a
 * sub-microsecond run overshoots it by a few operations at most).
 */
export async function measureOps(op: Operation, options: MeasureOptions): Promise<RunSample> {
  const { durationMs, concurrency, sampleEvery } = options
  const latencies: number[] = []
  let next = 0
  let done = 0
  const batch = sampleEvery === 1 ? 1 : 64
  const start = performance.now()
  const deadline = start + durationMs
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      for (let k = 0; k < batch; k++) {
        const i = next++
        if (i % sampleEvery === 0) {
          const t0 = performance.now()
          await op(i)
          latencies.push(performance.now() - t0)
        } else {
          await op(i)
        }
        done++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsed = performance.now() - start
  const sorted = Float64Array.from(latencies).sort()
  return {
    opsPerSec: (done * 1000) / elapsed,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
  }
}
