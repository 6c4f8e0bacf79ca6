import type { ContestResult } from './contest.js'
import { describeMachine, type MachineInfo } from './machine.js'
import type { FootprintResult } from './suites/footprint-suite.js'

/** Everything one `pnpm bench` produced. */
export interface BenchReport {
  readonly machine: MachineInfo
  readonly quick: boolean
  readonly runs: number
  readonly results: readonly ContestResult[]
  readonly footprint: readonly FootprintResult[]
  /** Suites that could not run, with the reason. */
  readonly skipped: readonly { readonly suite: string; readonly reason: string }[]
}

const count = (n: number): string =>
  n >= 100_000 ? `${(n / 1_000_000).toFixed(2)} M` : n >= 1_000 ? `${(n / 1_000).toFixed(1)} k` : n.toFixed(0)
const ms = (n: number): string => (n < 0.1 ? `${(n * 1000).toFixed(1)} µs` : `${n.toFixed(2)} ms`)

function ratios(row: ContestResult): string {
  const entries = Object.entries(row.ratios)
  if (!row.ours || entries.length === 0) return ''
  return entries.map(([peer, r]) => `**${r.toFixed(2)}×** ${peer}`).join('<br>')
}

/** The report as Markdown: machine line, the throughput table, the footprint table, skipped suites. */
export function markdownReport(report: BenchReport): string {
  const lines = [
    `Measured on ${describeMachine(report.machine)}${report.quick ? ' (**--quick**: indicative only)' : ''}; median of ${report.runs} runs (min–max), alternating order.`,
    '',
    '| suite | workload | contestant | throughput (median) | min–max | p50 | p99 | ours ÷ peer |',
    '|---|---|---|---:|---:|---:|---:|---|',
  ]
  for (const r of report.results) {
    const name = r.ours ? `**${r.contestant}**` : r.contestant
    lines.push(
      `| ${r.suite} | ${r.scenario} | ${name} | ${count(r.median)} ${r.unit} | ${count(r.min)}–${count(r.max)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${ratios(r)} |`,
    )
  }
  if (report.footprint.length > 0) {
    lines.push(
      '',
      '| memory store | ours, pinned plans, per 1 M clients | ours, plans from resolveClient | RateLimiterMemory | pinned ÷ peer | resolved ÷ peer |',
      '|---|---:|---:|---:|---:|---:|',
    )
    for (const f of report.footprint) {
      lines.push(
        `| ${f.windows === 1 ? '1 window' : '3 windows'} (measured with ${count(f.clientsMeasured)} clients) | ${f.oursMiBPer1M.toFixed(0)} MiB | ${f.resolvedMiBPer1M.toFixed(0)} MiB | ${f.peerMiBPer1M.toFixed(0)} MiB | ${(f.oursMiBPer1M / f.peerMiBPer1M).toFixed(2)}× | ${(f.resolvedMiBPer1M / f.peerMiBPer1M).toFixed(2)}× |`,
      )
    }
  }
  for (const s of report.skipped) lines.push('', `Skipped **${s.suite}**: ${s.reason}`)
  return `${lines.join('\n')}\n`
}

/** A compact plain-text table for the terminal. */
export function textReport(report: BenchReport): string {
  const header = ['suite', 'workload', 'contestant', 'median', 'min–max', 'p50', 'p99', 'ours ÷ peer']
  const rows = report.results.map((r) => [
    r.suite,
    r.scenario,
    `${r.ours ? '* ' : '  '}${r.contestant}`,
    `${count(r.median)} ${r.unit}`,
    `${count(r.min)}–${count(r.max)}`,
    ms(r.p50Ms),
    ms(r.p99Ms),
    Object.entries(r.ratios)
      .map(([peer, x]) => `${x.toFixed(2)}× ${peer}`)
      .join('; '),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)))
  const format = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ')
  const out = [describeMachine(report.machine), format(header), ...rows.map(format)]
  for (const f of report.footprint) {
    out.push(
      `memory per 1 M clients, ${f.windows} window(s): ours ${f.oursMiBPer1M.toFixed(0)} MiB pinned, ${f.resolvedMiBPer1M.toFixed(0)} MiB resolved, RateLimiterMemory ${f.peerMiBPer1M.toFixed(0)} MiB`,
    )
  }
  for (const s of report.skipped) out.push(`skipped ${s.suite}: ${s.reason}`)
  return `${out.join('\n')}\n`
}
