/** @jest-environment node */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { dailyUsageBody } from '@x/api-billing-core'
import { parseDailyUsageBody } from './parse-daily-usage-body.js'

const root = join(__dirname, '..')
const sources = readdirSync(__dirname).filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))

/**
 * Loads `dist/index.js` in a plain Node process, as a server-rendering app does: with `import`, and with
 * `require` where Node can require an ES module (20.19+); server-renders a meter and applies rate-limit
 * headers (the code path that uses structured-headers). Prints what it saw as JSON.
 */
const LOAD_BUILD = `
import { createRequire } from 'node:module'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
const dist = process.argv[1]
const esm = await import(dist)
const required = process.features.require_module ? createRequire(dist)(dist) : esm
const status = esm.applyRateLimitHeaders(
  undefined,
  { RateLimit: '"day";r=499;t=3600', 'RateLimit-Policy': '"day";q=500;w=86400' },
  Date.parse('2025-03-10T10:48:00.000Z'),
)
const html = renderToString(createElement(required.QuotaMeter, { status }))
console.log(JSON.stringify({ exports: Object.keys(esm).sort(), same: required.QuotaMeter === esm.QuotaMeter, html }))
`

/** The newest modification time (ms) of the package's non-test sources. */
function newestSource(): number {
  return Math.max(...sources.map((f) => statSync(join(__dirname, f)).mtimeMs))
}

describe('the published package', () => {
  it('imports core only for types, so it does not need core at run time', () => {
    for (const file of sources) {
      const text = readFileSync(join(__dirname, file), 'utf8')
      const runtime = text.match(/^import (?!type )[^\n]*from '@x\/api-billing-core'/gm)
      expect({ file, runtime }).toEqual({ file, runtime: null })
    }
  })

  it('imports nothing at run time beyond React and structured-headers, and declares both', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    const imported = new Set<string>()
    for (const file of sources) {
      const text = readFileSync(join(__dirname, file), 'utf8')
      for (const m of text.matchAll(/^import (?!type )[^\n]*from '([^.][^']*)'/gm))
        imported.add(m[1] as string)
    }
    expect([...imported].sort()).toEqual(['react', 'structured-headers'])
    expect(Object.keys(pkg.peerDependencies)).toEqual(['react'])
    expect(pkg.dependencies['structured-headers']).toMatch(/^\^2\./)
    expect(pkg.devDependencies['structured-headers']).toBeUndefined()
  })

  it("accepts core's daily-usage body as it is", () => {
    const body = dailyUsageBody(
      'acme',
      new Date('2025-03-01T00:00:00Z'),
      new Date('2025-03-02T00:00:00Z'),
      'UTC',
      [{ date: '2025-03-01', credits: 4, fromBalance: 0, overage: 0 }],
    )
    expect(parseDailyUsageBody(body)).toBe(body)
  })

  it('documents every CSS variable of the stylesheet, and only those', () => {
    const css = readFileSync(join(__dirname, 'styles.css'), 'utf8')
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const defined = new Set([...css.matchAll(/(--abq-[a-z-]+):/g)].map((m) => m[1]))
    const documented = new Set([...readme.matchAll(/`(--abq-[a-z-]+)`/g)].map((m) => m[1]))
    expect([...documented].sort()).toEqual([...defined].sort())
  })

  it('ships the stylesheet, honouring dark mode and reduced motion', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    expect(pkg.exports['./styles.css']).toBe('./dist/styles.css')
    expect(pkg.scripts.build).toContain("'src/styles.css','dist/styles.css'")
    const css = readFileSync(join(__dirname, 'styles.css'), 'utf8')
    expect(css).toMatch(/@media \(prefers-color-scheme: dark\)/)
    expect(css).toMatch(/@media \(prefers-reduced-motion: reduce\)\s*{[^}]*--abq-transition: none/)
  })

  it('loads from its build with import and require, and server-renders without a DOM', () => {
    const buildInfo = join(root, 'dist', '.tsbuildinfo')
    const built = statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? 0
    // turbo builds the package before its tests; run `pnpm build` first when running jest by hand.
    expect({ builtAfterSources: built >= newestSource() }).toEqual({ builtAfterSources: true })

    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', LOAD_BUILD, join(root, 'dist', 'index.js')],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    const { exports, same, html } = JSON.parse(out) as { exports: string[]; same: boolean; html: string }

    expect(exports).toEqual(
      expect.arrayContaining(['QuotaMeter', 'UsageChart', 'useQuotaStatus', 'applyRateLimitHeaders']),
    )
    expect(same).toBe(true)
    expect(html).toContain('aria-valuetext="499 of 500 credits left, renews in 1 h"')
  })
})
