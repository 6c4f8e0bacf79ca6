import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
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
  server = await startDemoServer({ DEMO_CLOCK_START: TEST_CLOCK_START })
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
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-exhausted.png'), fullPage: true })
    },
    TEST_MS,
  )
})
