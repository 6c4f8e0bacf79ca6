/**
 * `pnpm bench [--quick] [--only=memory,sqlite,…] [--out=dir]`: runs the benchmarks, prints the table,
 * and writes `latest.{json,md}` (`latest-quick.*` with `--quick`; and time-stamped copies) to `dir`, by default `bench/bench-results/`.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { textReport } from './report.js'
import { runBench, SUITES, type SuiteName } from './run-bench.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const onlyArg = args.find((a) => a.startsWith('--only='))
const only = onlyArg?.slice('--only='.length).split(',') as SuiteName[] | undefined
const unknown = only?.filter((s) => !(SUITES as readonly string[]).includes(s)) ?? []
if (unknown.length > 0) {
  process.stderr.write(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.join(', ')}\n`)
  process.exit(2)
}
const outArg = args.find((a) => a.startsWith('--out='))
const outDir = outArg?.slice('--out='.length) ?? fileURLToPath(new URL('../bench-results/', import.meta.url))
// Turn Ctrl-C into a normal exit, so the servers the bench started are stopped by their exit hooks.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
const started = Date.now()
const report = await runBench({ quick, ...(only ? { only } : {}), outDir })
process.stdout.write(textReport(report))
process.stdout.write(
  `(${((Date.now() - started) / 1000).toFixed(0)} s; written to ${join(outDir, quick ? 'latest-quick.md' : 'latest.md')})\n`,
)
process.exit(0)
