import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { BenchConfig } from '../bench-config.js'
import type { WindowCount } from '../workload.js'

const ENTRY = fileURLToPath(new URL('../memory-footprint.js', import.meta.url))

/** Heap per 1 M clients of ours and of the peer, for one or three windows. */
export interface FootprintResult {
  readonly windows: WindowCount
  readonly clientsMeasured: number
  /** MiB per 1 M clients: engine plans (pinned with `updateClientQuotas`) plus memory-store state. */
  readonly oursMiBPer1M: number
  /** MiB per 1 M clients: plans from `resolveClient` (cached) plus memory-store state. */
  readonly resolvedMiBPer1M: number
  /** MiB per 1 M clients: `RateLimiterMemory` (×3 for three windows). */
  readonly peerMiBPer1M: number
}

async function measure(
  side: 'ours' | 'resolved' | 'peer',
  windows: WindowCount,
  clients: number,
): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', ENTRY, side, String(windows), String(clients)],
    { maxBuffer: 1 << 20 },
  )
  return (JSON.parse(stdout) as { bytesPerClient: number }).bytesPerClient
}

/** Measures each side in a fresh process (so neither inherits the other's heap). */
export async function runFootprintSuite(config: BenchConfig): Promise<FootprintResult[]> {
  const results: FootprintResult[] = []
  for (const windows of [1, 3] as WindowCount[]) {
    const ours = await measure('ours', windows, config.footprintClients)
    const resolved = await measure('resolved', windows, config.footprintClients)
    const peer = await measure('peer', windows, config.footprintClients)
    const toMiB = (bytes: number) => (bytes * 1_000_000) / 1024 / 1024
    results.push({
      windows,
      clientsMeasured: config.footprintClients,
      oursMiBPer1M: toMiB(ours),
      resolvedMiBPer1M: toMiB(resolved),
      peerMiBPer1M: toMiB(peer),
    })
    config.log(
      `  memory footprint, ${windows} window(s): ours ${ours.toFixed(0)} B/client pinned, ${resolved.toFixed(0)} resolved, peer ${peer.toFixed(0)}`,
    )
  }
  return results
}
