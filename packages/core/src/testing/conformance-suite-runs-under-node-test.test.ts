import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { MemoryUsageStore } from '../memory-usage-store.js'
import { usageStoreConformanceSuite } from './usage-store-conformance-suite.js'

const packageDir = join(__dirname, '..', '..')
const NODE_TEST_FILE = 'src/testing/memory-usage-store.node-test.ts'
const LOADER = './src/testing/register-typescript-loader.mjs'

/** How many tests the suite registers: it is run with a `testApi` that only counts. */
function countSuiteTests(): number {
  let count = 0
  usageStoreConformanceSuite({
    name: 'counting',
    createStore: async () => ({ store: new MemoryUsageStore() }),
    testApi: {
      describe: (_name, fn) => fn(),
      it: () => {
        count += 1
      },
      beforeEach: () => {},
      afterEach: () => {},
    },
  })
  return count
}

/** The number after `# <name>` in node:test's TAP summary. */
function tapCount(tap: string, name: string): number {
  const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)
  if (match?.[1] === undefined) throw new Error(`no "# ${name}" line in the TAP output:\n${tap}`)
  return Number(match[1])
}

/** Runs the node:test file; resolves with its exit code and output, also when tests failed. */
function runNodeTest(): Promise<{ readonly exitCode: number | string; readonly output: string }> {
  const args = ['--import', LOADER, '--test-reporter=tap', NODE_TEST_FILE]
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: packageDir, timeout: 25_000 }, (error, stdout, stderr) => {
      resolve({ exitCode: error === null ? 0 : (error.code ?? 'killed'), output: `${stdout}${stderr}` })
    })
  })
}

describe('the conformance suite under node:test', () => {
  it('runs every test of the suite on the memory store, and all pass', async () => {
    const expected = countSuiteTests()
    expect(expected).toBeGreaterThan(30)
    const { exitCode, output } = await runNodeTest()
    expect({
      exitCode,
      failed: [...output.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]),
      tests: tapCount(output, 'tests'),
      pass: tapCount(output, 'pass'),
      fail: tapCount(output, 'fail'),
      cancelled: tapCount(output, 'cancelled'),
      skipped: tapCount(output, 'skipped'),
      todo: tapCount(output, 'todo'),
    }).toEqual({
      exitCode: 0,
      failed: [],
      tests: expected,
      pass: expected,
      fail: 0,
      cancelled: 0,
      skipped: 0,
      todo: 0,
    })
  }, 30_000)
})
