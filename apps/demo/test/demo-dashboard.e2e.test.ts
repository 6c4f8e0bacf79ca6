import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { type DemoServer, removeDataDir, startDemoServer, withinOneMinuteWindow } from './demo-server.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SCREENSHOTS = resolve(process.env.SCREENSHOT_DIR ?? join(__dirname, '..', 'screenshots'))

let server: DemoServer
let profile: string
let context: BrowserContext
let page: Page

beforeAll(async () => {
  server = await startDemoServer()
  profile = mkdtempSync(join(tmpdir(), 'api-billing-chromium-'))
  mkdirSync(SCREENSHOTS, { recursive: true })
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  page = context.pages()[0] ?? (await context.newPage())
})

afterAll(async () => {
  await context?.close()
  await server?.stop()
  if (server) removeDataDir(server.dataDir)
  if (profile) rmSync(profile, { recursive: true, force: true })
  console.log(`Dashboard screenshots: ${SCREENSHOTS}`)
})

async function minuteMeter() {
  const meter = page.getByRole('meter', { name: /minute/i })
  return {
    now: Number(await meter.getAttribute('aria-valuenow')),
    max: Number(await meter.getAttribute('aria-valuemax')),
  }
}

describe('the demo dashboard in Chromium', () => {
  it('shows a client’s meters, drops them on calls, shows the 429 and the chart', async () => {
    await withinOneMinuteWindow(30_000)
    await page.goto(server.url)
    await page.getByRole('combobox', { name: 'Client' }).selectOption('demo-free')
    await expect(page.getByRole('meter', { name: /minute/i }).waitFor()).resolves.toBeUndefined()
    expect(await minuteMeter()).toEqual({ now: 10, max: 10 })

    await page.getByRole('button', { name: /^Fetch data/ }).click()
    await page.getByTestId('last-status').filter({ hasText: '200' }).waitFor()
    const headers = page.getByTestId('last-headers')
    await expect(headers.textContent()).resolves.toMatch(/"minute";r=9;t=\d+/)
    await page.waitForFunction(
      () =>
        document.querySelector('[role="meter"][aria-label*="minute" i]')?.getAttribute('aria-valuenow') ===
        '9',
    )
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true })

    await page
      .getByRole('button', { name: /^Burst ×10/ })
      .first()
      .click()
    await page.getByText('429').first().waitFor()
    await page.waitForFunction(
      () =>
        document.querySelector('[role="meter"][aria-label*="minute" i]')?.getAttribute('aria-valuenow') ===
        '0',
    )
    expect(await minuteMeter()).toEqual({ now: 0, max: 10 })
    await page.getByRole('button', { name: /^Fetch expensive data/ }).click()
    await page.getByTestId('last-status').filter({ hasText: '429' }).waitFor()
    await expect(headers.textContent()).resolves.toMatch(/Retry-After\s*\d+/)

    const chart = page
      .locator('svg')
      .filter({ has: page.locator('rect') })
      .first()
    await chart.waitFor()
    const table = await page.locator('table').first().textContent()
    expect(table).toContain('10')
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-exhausted.png'), fullPage: true })
  })
})
