import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import type { BenchConfig } from '../bench-config.js'
import { type ContestResult, summarise } from '../contest.js'
import { HTTP_CLIENT_KEY, HTTP_VARIANT_LABELS, HTTP_VARIANTS, type HttpVariant } from '../http-variants.js'
import type { RunSample } from '../measure.js'

const CONNECTIONS = 32
const SERVER_ENTRY = fileURLToPath(new URL('../http-server.js', import.meta.url))

interface RunningServer {
  readonly variant: HttpVariant
  readonly url: string
  readonly child: ChildProcess
}

async function startServer(variant: HttpVariant): Promise<RunningServer> {
  const child = spawn(process.execPath, [SERVER_ENTRY, variant], { stdio: ['ignore', 'pipe', 'inherit'] })
  process.once('exit', () => child.kill('SIGKILL'))
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${variant} server exited with ${code}`)))
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
  })
  return { variant, url: `http://127.0.0.1:${port}/api`, child }
}

async function stopServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return
  const exited = new Promise((done) => server.child.once('exit', done))
  server.child.kill('SIGTERM')
  await exited
}

async function cannon(url: string, seconds: number): Promise<RunSample & { failures: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'x-api-key': HTTP_CLIENT_KEY },
  })
  return {
    opsPerSec: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}

/**
 * Every variant's server in its own process, loaded by autocannon from this process (32 connections,
 * one API key with a limit never reached), in alternating order run by run. Ratios are against bare
 * Express and against each peer limiter.
 */
export async function runHttpSuite(config: BenchConfig): Promise<ContestResult[]> {
  const servers: RunningServer[] = []
  try {
    for (const variant of HTTP_VARIANTS) servers.push(await startServer(variant))
    for (const server of servers) await cannon(server.url, 1)
    const samples = new Map<HttpVariant, RunSample[]>(HTTP_VARIANTS.map((v) => [v, []]))
    for (let run = 0; run < config.runs; run++) {
      const order = run % 2 === 0 ? servers : [...servers].reverse()
      for (const server of order) {
        const sample = await cannon(server.url, config.httpRunSeconds)
        if (sample.failures > 0) throw new Error(`${server.variant}: ${sample.failures} failed requests`)
        samples.get(server.variant)?.push(sample)
        config.log(`  http / ${server.variant}: run ${run + 1}: ${Math.round(sample.opsPerSec)} req/s`)
      }
    }
    return HTTP_VARIANTS.map((v) =>
      summarise(
        'http',
        `GET /api, ${CONNECTIONS} connections`,
        HTTP_VARIANT_LABELS[v],
        samples.get(v) ?? [],
        'req/s',
      ),
    )
  } finally {
    for (const server of servers) await stopServer(server)
  }
}
