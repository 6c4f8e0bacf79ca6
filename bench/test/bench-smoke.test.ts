import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from '@jest/globals'

const MAIN = join(__dirname, '..', 'dist', 'main.js')
const out = mkdtempSync(join(tmpdir(), 'api-billing-bench-smoke-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('pnpm bench --quick on the memory suite', () => {
  it('prints the table with ratios and writes the JSON and Markdown reports', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', MAIN, '--quick', '--only=memory', `--out=${out}`],
      // About 12 s on an idle machine (four memory scenarios); generous for a loaded CI machine.
      { timeout: 100_000 },
    )
    expect(stdout).toMatch(/ApiBilling \+ MemoryUsageStore .*× RateLimiterMemory/)
    const report = JSON.parse(readFileSync(join(out, 'latest-quick.json'), 'utf8')) as {
      results: { scenario: string; contestant: string; median: number; ratios: Record<string, number> }[]
    }
    expect(report.results.map((r) => `${r.scenario}: ${r.contestant}`)).toEqual([
      '1 window: ApiBilling + MemoryUsageStore',
      '1 window: ApiBilling + MemoryUsageStore, plans from resolveClient',
      '1 window: RateLimiterMemory',
      '3 windows: ApiBilling + MemoryUsageStore',
      '3 windows: ApiBilling + MemoryUsageStore, plans from resolveClient',
      '3 windows: RateLimiterUnion(RateLimiterMemory ×3)',
      '1 window, 32 in flight: ApiBilling + MemoryUsageStore',
      '1 window, 32 in flight: RateLimiterMemory',
      '3 windows, 32 in flight: ApiBilling + MemoryUsageStore',
      '3 windows, 32 in flight: RateLimiterUnion(RateLimiterMemory ×3)',
    ])
    for (const r of report.results) expect(r.median).toBeGreaterThan(0)
    expect(report.results[0]?.ratios.RateLimiterMemory).toBeGreaterThan(0)
    expect(readFileSync(join(out, 'latest-quick.md'), 'utf8')).toContain('| memory | 1 window |')
  }, 120_000)
})
