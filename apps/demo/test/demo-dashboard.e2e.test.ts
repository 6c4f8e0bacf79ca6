import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { QuotaStatusBody } from '@x/api-billing-core'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { ADMIN_TOKEN } from './demo-admin.js'
import {
  type DemoServer,
  removeDataDir,
  START_DEADLINE_MS,
  startDemoServer,
  TEST_CLOCK_START,
} from './demo-server.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SCREENSHOTS = resolve(process.env.SCREENSHOT_DIR ?? join(__dirname, '..', 'screenshots'))

// Measured on the 2-core machine at load ~2: server start 0.4–0.6 s plus Chromium launch 0.5–0.8 s, the
// test 1.1–1.4 s. Each wait in the page gives up after WAIT_MS; the test and the hooks get far more than
// 3× their duration, so their waits fail first, with a useful message.
const WAIT_MS = 10_000
const TEST_MS = 60_000
const HOOK_MS = START_DEADLINE_MS + 30_000

let server: DemoServer
let profile: string
let context: BrowserContext
let page: Page

beforeAll(async () => {
  server = await startDemoServer({ DEMO_CLOCK_START: TEST_CLOCK_START, ADMIN_TOKEN })
  profile = mkdtempSync(join(tmpdir(), 'api-billing-chromium-'))
  mkdirSync(SCREENSHOTS, { recursive: true })
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    timeout: WAIT_MS * 2,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  context.setDefaultTimeout(WAIT_MS)
  page = context.pages()[0] ?? (await context.newPage())
  // The page reads "now" for the chart's range: the server's test clock, standing still.
  await page.clock.setFixedTime(new Date(TEST_CLOCK_START))
}, HOOK_MS)

afterAll(async () => {
  await context?.close()
  await server?.stop()
  if (server) removeDataDir(server.dataDir)
  if (profile) rmSync(profile, { recursive: true, force: true })
  console.log(`Dashboard screenshots: ${SCREENSHOTS}`)
}, HOOK_MS)

/** Waits (up to WAIT_MS) until the minute meter shows `credits` left of `max`, then checks it does. */
async function expectMinuteMeter(credits: number, max: number): Promise<void> {
  const shown = [String(credits), String(max)]
  await page
    .waitForFunction(([now, most]) => {
      const m = document.querySelector('[role="meter"][aria-label*="minute" i]')
      return m !== null && m.getAttribute('aria-valuenow') === now && m.getAttribute('aria-valuemax') === most
    }, shown)
    .catch(() => undefined) // the expectation below reports what the meter shows instead
  const meter = page.getByRole('meter', { name: /minute/i })
  expect([await meter.getAttribute('aria-valuenow'), await meter.getAttribute('aria-valuemax')]).toEqual(
    shown,
  )
}

/** What axe-core finds on the page that is serious or critical: `[]` when the page passes. */
async function seriousViolations(state: string): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') })
  const { violations, passes } = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe
    const results = await axe.run(document)
    return { violations: results.violations, passes: results.passes.length }
  })
  expect(passes).toBeGreaterThan(20) // axe ran its rules on this page
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${state}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

interface AxeResults {
  readonly passes: readonly unknown[]
  readonly violations: readonly {
    readonly id: string
    readonly impact: string | null
    readonly nodes: readonly { readonly target: readonly string[] }[]
  }[]
}

/** Waits (up to WAIT_MS) until the balance widget says `credits` are available, then checks it does. */
async function expectAvailable(credits: number): Promise<void> {
  const available = page.locator('.abq-balance-available strong')
  await page
    .waitForFunction(
      (n) => document.querySelector('.abq-balance-available strong')?.textContent === n,
      String(credits),
    )
    .catch(() => undefined) // the expectation below reports what the widget shows instead
  expect(await available.textContent()).toBe(String(credits))
}

describe('the demo dashboard in Chromium', () => {
  it(
    'shows a client’s meters, drops them on calls, shows the 429 and the chart',
    async () => {
      await page.goto(server.url)
      await page.getByRole('combobox', { name: 'Client' }).selectOption('demo-free')
      await expectMinuteMeter(10, 10)

      await page.getByRole('button', { name: /^Fetch data/ }).click()
      await page.getByTestId('last-status').filter({ hasText: '200' }).waitFor()
      const headers = page.getByTestId('last-headers')
      expect(await headers.textContent()).toContain('"minute";r=9;t=45, "day";r=99;t=43185')
      await expectMinuteMeter(9, 10)
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true })
      expect(await seriousViolations('normal')).toEqual([])

      await page
        .getByRole('button', { name: /^Burst ×10/ })
        .first()
        .click()
      await expectMinuteMeter(0, 10)
      await page.getByRole('button', { name: /^Fetch expensive data/ }).click()
      await page.getByTestId('last-status').filter({ hasText: '429' }).waitFor()
      expect(await headers.textContent()).toMatch(/Retry-After\s*45/)

      // One credit, then 9 of the burst's 10 (the 10th was refused), then nothing for the refused call.
      const table = page.getByRole('table', { name: 'Daily usage, last 14 days', includeHidden: true })
      const today = table
        .getByRole('row', { includeHidden: true })
        .filter({ has: page.locator('time[datetime="2026-03-10"]') })
      await today
        .getByRole('cell', { includeHidden: true })
        .filter({ hasText: /^10$/ })
        .waitFor({ state: 'attached' })
      expect(await table.locator('tfoot td').textContent()).toBe('10')
      await page.getByTestId('alerts').getByText('80 % of the minute quota used (8 of 10 credits)').waitFor()
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-exhausted.png'), fullPage: true })
      expect(await seriousViolations('exhausted')).toEqual([])

      // This month's usage as CSV: its total for the client is what the status route's day window counts.
      const downloading = page.waitForEvent('download')
      await page.getByRole('button', { name: /Download this month/ }).click()
      const csv = readFileSync((await (await downloading).path()) as string, 'utf8')
      const rows = csv
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(','))
      const credits = rows.reduce((sum, row) => sum + Number(row[3]), 0)
      const status = (await (
        await fetch(`${server.url}/api/billing/quota`, { headers: { 'X-API-Key': 'demo-free' } })
      ).json()) as QuotaStatusBody
      expect(rows.every((row) => row[0] === 'demo-free')).toBe(true)
      expect(credits).toBe(status.windows.find((w) => w.duration === 'day')?.used)
    },
    TEST_MS,
  )

  it(
    'tops up a prepaid client, spends its balance, shows the low balance and the 402',
    async () => {
      await page.goto(server.url)
      await page.getByRole('combobox', { name: 'Client' }).selectOption('demo-prepaid')
      await expectAvailable(25) // plans.json's welcome credits
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
      await page.getByLabel('Credits', { exact: true }).fill('10')
      await page.getByRole('button', { name: 'Grant credits' }).click()
      await page.getByText('Granted 10 credits.').waitFor()
      await expectAvailable(35)

      const expensive = page.getByRole('button', { name: /^Fetch expensive data/ })
      for (let i = 0; i < 5; i++) {
        await expensive.click()
        await page.getByTestId('last-status').filter({ hasText: '200' }).waitFor()
      }
      await expectAvailable(10)
      await page
        .locator('.abq-balance')
        .getByText(/Low balance/)
        .waitFor()
      await page.getByTestId('alerts').getByText('Prepaid balance low: 10 credits left').waitFor()
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-low-balance.png'), fullPage: true })
      expect(await seriousViolations('low balance')).toEqual([])

      await page
        .getByRole('button', { name: /^Burst ×10/ })
        .nth(1)
        .click() // 2 of 10 fit in 10 credits
      await expectAvailable(0)
      await page.getByRole('button', { name: /^Fetch data/ }).click()
      // The burst's last answer may be a 402 too: wait for this call's own (its path, not the burst's).
      await page
        .locator('.demo-response h3')
        .filter({ hasText: '402' })
        .filter({ hasText: '/api/fetch-data' })
        .waitFor()
      expect(await page.locator('.demo-body').textContent()).toContain('"needed": 1')
      expect(await seriousViolations('balance spent')).toEqual([])
    },
    TEST_MS,
  )
})
