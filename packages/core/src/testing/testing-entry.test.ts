import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

const packageDir = join(__dirname, '..', '..')
const tsc = join(
  dirname(createRequire(join(packageDir, 'package.json')).resolve('typescript/package.json')),
  'bin',
  'tsc',
)

/** Every bare (non-relative) module specifier the built file imports, following its relative imports. */
function bareImports(entry: string): Set<string> {
  const bare = new Set<string>()
  const seen = new Set<string>()
  const pending = [entry]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    // tsc prints each import/export statement on one line, ending in `;`.
    for (const m of text.matchAll(
      /^(?:(?:import|export)\b[^;'"]*?\bfrom\s*|import\s*)['"]([^'"]+)['"];$/gm,
    )) {
      const specifier = m[1] as string
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier))
      else bare.add(specifier)
    }
  }
  return bare
}

/** A consumer that imports both entry points by name; it compiles only if their types resolve. */
const CONSUMER = `
import { MemoryUsageStore, type UsageStore } from '@x/api-billing-core'
import { type ConformanceTestApi, ManualClock, usageStoreConformanceSuite } from '@x/api-billing-core/testing'
declare const testApi: ConformanceTestApi
const store: UsageStore = new MemoryUsageStore()
usageStoreConformanceSuite({ name: 'x', createStore: async () => ({ store }), testApi })
export const now: Date = new ManualClock('2026-01-01T00:00:00Z').now()
`

describe('the built @x/api-billing-core/testing entry', () => {
  let consumerDir = ''

  beforeAll(() => {
    // Build (incrementally) so the checks see what would be published, not a stale dist.
    execFileSync(process.execPath, [tsc, '-b'], { cwd: packageDir, stdio: 'inherit' })
    consumerDir = mkdtempSync(join(tmpdir(), 'core-testing-node10-'))
    mkdirSync(join(consumerDir, 'node_modules', '@x'), { recursive: true })
    symlinkSync(packageDir, join(consumerDir, 'node_modules', '@x', 'api-billing-core'), 'dir')
    writeFileSync(join(consumerDir, 'consumer.ts'), CONSUMER)
  }, 120_000)

  afterAll(() => {
    if (consumerDir !== '') rmSync(consumerDir, { recursive: true, force: true })
  })

  it('imports no test framework: only Node built-ins and core’s own dependency', () => {
    const bare = bareImports(join(packageDir, 'dist', 'testing', 'index.js'))
    expect([...bare].filter((s) => !s.startsWith('node:')).sort()).toEqual(['temporal-polyfill'])
    expect(bare.has('node:assert/strict')).toBe(true)
  })

  it('resolves with its types under TypeScript moduleResolution node10 (typesVersions)', async () => {
    const tsconfig = {
      compilerOptions: {
        module: 'commonjs',
        moduleResolution: 'node10',
        ignoreDeprecations: '6.0',
        strict: true,
        noEmit: true,
        types: [],
      },
      files: ['consumer.ts'],
    }
    writeFileSync(join(consumerDir, 'tsconfig.json'), JSON.stringify(tsconfig))
    const result = await new Promise<{ code: number | string; output: string }>((resolve) => {
      execFile(process.execPath, [tsc, '-p', consumerDir], { timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : (error.code ?? 'killed'), output: `${stdout}${stderr}` })
      })
    })
    expect(result).toEqual({ code: 0, output: '' })
  }, 90_000)
})
