import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { benchConfig } from './bench-config.js'
import { type ContestResult, runScenario, type Scenario, withRatios } from './contest.js'
import { type MongoServer, startMongoServer } from './ferretdb.js'
import { machineInfo } from './machine.js'
import { type BenchReport, markdownReport } from './report.js'
import { type FootprintResult, runFootprintSuite } from './suites/footprint-suite.js'
import { runHttpSuite } from './suites/http-suite.js'
import { mariadbScenarios } from './suites/mariadb-suite.js'
import { memoryScenarios } from './suites/memory-suite.js'
import { mongoScenarios } from './suites/mongo-suite.js'
import { postgresScenarios } from './suites/postgres-suite.js'
import { redisScenarios } from './suites/redis-suite.js'
import { sqliteScenarios } from './suites/sqlite-suite.js'

/** The suites `pnpm bench` knows, in the order it runs them. */
export const SUITES = [
  'memory',
  'footprint',
  'sqlite',
  'postgres',
  'mariadb',
  'redis',
  'mongo',
  'http',
] as const

/** One of {@link SUITES}. */
export type SuiteName = (typeof SUITES)[number]

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  readonly quick: boolean
  /** Which suites to run. Default: all. */
  readonly only?: readonly SuiteName[]
  /**
   * Where to write `latest.json`, `latest.md` (`latest-quick.*` for a quick run) and time-stamped copies;
   * nothing is written when absent.
   */
  readonly outDir?: string
  readonly log?: (line: string) => void
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Runs the chosen suites one after another (a suite whose server is missing is skipped with the
 * reason), adds ratios, writes the JSON and Markdown reports and returns the report.
 */
export async function runBench(options: RunBenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const config = benchConfig(options.quick, log)
  const only = new Set(options.only ?? SUITES)
  const results: ContestResult[] = []
  const skipped: { suite: string; reason: string }[] = []
  let footprint: FootprintResult[] = []

  const scenarios = async (suite: SuiteName, make: () => Scenario[] | Promise<Scenario[]>) => {
    if (!only.has(suite)) return
    log(`${suite}…`)
    try {
      for (const scenario of await make()) results.push(...(await runScenario(scenario, config.runs, log)))
    } catch (error) {
      skipped.push({ suite, reason: reason(error) })
      log(`  skipped ${suite}: ${reason(error)}`)
    }
  }

  await scenarios('memory', () => memoryScenarios(config))
  if (only.has('footprint')) {
    log('footprint…')
    footprint = await runFootprintSuite(config)
  }
  await scenarios('sqlite', () => sqliteScenarios(config))
  await scenarios('postgres', () => postgresScenarios(config))
  await scenarios('mariadb', () => mariadbScenarios(config))
  await scenarios('redis', () => redisScenarios(config))
  if (only.has('mongo')) {
    let server: MongoServer | undefined
    try {
      server = await startMongoServer()
    } catch (error) {
      skipped.push({ suite: 'mongo', reason: reason(error) })
      log(`  skipped mongo: ${reason(error)}`)
    }
    const running = server
    if (running !== undefined) {
      try {
        await scenarios('mongo', () => mongoScenarios(config, running))
      } finally {
        await running.stop()
      }
    }
  }
  if (only.has('http')) {
    log('http…')
    try {
      results.push(...(await runHttpSuite(config)))
    } catch (error) {
      skipped.push({ suite: 'http', reason: reason(error) })
      log(`  skipped http: ${reason(error)}`)
    }
  }

  const report: BenchReport = {
    machine: machineInfo(),
    quick: options.quick,
    runs: config.runs,
    results: withRatios(results),
    footprint,
    skipped,
  }
  if (options.outDir !== undefined) writeReport(options.outDir, report)
  return report
}

function writeReport(dir: string, report: BenchReport): void {
  mkdirSync(dir, { recursive: true })
  const stamp = report.machine.date.replace(/[:.]/g, '-')
  const json = `${JSON.stringify(report, null, 2)}\n`
  const markdown = markdownReport(report)
  // A --quick run never replaces the latest full results.
  const latest = report.quick ? 'latest-quick' : 'latest'
  for (const name of [latest, `${stamp}${report.quick ? '-quick' : ''}`]) {
    writeFileSync(join(dir, `${name}.json`), json)
    writeFileSync(join(dir, `${name}.md`), markdown)
  }
}
