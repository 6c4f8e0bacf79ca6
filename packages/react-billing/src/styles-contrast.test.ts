/** @jest-environment node */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'

const css = readFileSync(join(__dirname, 'styles.css'), 'utf8')

/** The `--abq-*` colours of the first rule block after `marker` (light: the root rule; dark: the media query). */
function palette(marker: string): Map<string, string> {
  const start = css.indexOf(marker)
  const block = css.slice(start, css.indexOf('}', start))
  return new Map(
    [...block.matchAll(/(--abq-[a-z-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1] as string, m[2] as string]),
  )
}

const light = palette('.abq-balance {')
const dark = new Map([...light, ...palette('@media (prefers-color-scheme: dark)')])

/** WCAG 2 relative luminance of `#rrggbb`, as axe's color-contrast rule computes it. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * (r as number) + 0.7152 * (g as number) + 0.0722 * (b as number)
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return ((hi as number) + 0.05) / ((lo as number) + 0.05)
}

// `--abq-bg` is transparent: text lies on the page. Light pages are white; the dark palette is GitHub's,
// whose page is #0d1117. The low-balance notice brings its own background (the track colour).
const schemes = [
  ['light', light, '#ffffff'],
  ['dark', dark, '#0d1117'],
] as const

describe('colour contrast of the credit states (WCAG AA, 4.5:1 for text, as axe color-contrast checks)', () => {
  it.each(schemes)('passes in %s mode', (_name, vars, page) => {
    const color = (name: string) => vars.get(name) ?? 'missing'
    const pairs: [string, string, string][] = [
      ['low-balance notice', color('--abq-text-color'), color('--abq-bar-track-color')],
      ['overage and grant text', color('--abq-text-color'), page],
      ['grant dates, pending badge', color('--abq-muted-color'), page],
      ['overage badge', color('--abq-tightest-color'), page],
      ['exhausted notice', color('--abq-exhausted-color'), page],
    ]
    for (const [what, fg, bg] of pairs) {
      expect({ what, fg, bg, passes: contrast(fg, bg) >= 4.5 }).toEqual({ what, fg, bg, passes: true })
    }
  })

  it('does not write low-balance text in the amber, which fails as text on white', () => {
    expect(contrast(light.get('--abq-low-color') as string, '#ffffff')).toBeLessThan(4.5)
    const rule = css.slice(css.indexOf('.abq-message--low-balance {'))
    expect(rule.slice(0, rule.indexOf('}'))).toMatch(/\n\s+color: var\(--abq-text-color\);/)
  })
})
