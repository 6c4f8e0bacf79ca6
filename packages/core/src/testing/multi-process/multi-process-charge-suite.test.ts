import { AssertionError } from 'node:assert'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js'
import { MemoryUsageStore } from '../../memory-usage-store.js'
import { type MultiProcessChargeSuiteOptions, multiProcessChargeSuite } from './multi-process-charge-suite.js'

/** The suite on the memory store, which processes cannot share: both of its tests must fail. */
const memoryOptions: MultiProcessChargeSuiteOptions<null> = {
  name: 'MemoryUsageStore',
  testApi: { describe: () => undefined, it: () => undefined },
  workerPath: join(__dirname, 'memory-charge-worker.mjs'),
  nodeArgs: ['--import', join(__dirname, '..', 'register-typescript-loader.mjs')],
  createTarget: async () => ({ target: null, cleanup: async () => undefined }),
  openStore: async () => new MemoryUsageStore(),
  timeoutMs: 20_000,
}

/** The tests the suite registers, by name, with the `describe` titles they were registered under. */
function registeredTests(options: Partial<MultiProcessChargeSuiteOptions<null>> = {}) {
  const titles: string[] = []
  const tests = new Map<string, () => Promise<void>>()
  multiProcessChargeSuite({
    ...memoryOptions,
    ...options,
    testApi: {
      describe: (title, fn) => {
        titles.push(title)
        fn()
      },
      it: (name, fn) => tests.set(name, fn),
    },
  })
  return { titles, tests }
}

/** The test whose name starts with `prefix`. */
function testNamed(tests: Map<string, () => Promise<void>>, prefix: string): () => Promise<void> {
  const found = [...tests].find(([name]) => name.startsWith(prefix))
  if (found === undefined) throw new Error(`no test "${prefix}..." among ${[...tests.keys()].join(' | ')}`)
  return found[1]
}

describe('multiProcessChargeSuite', () => {
  it('registers the race, the killed writer and the credits race under one describe named after the store', () => {
    const { titles, tests } = registeredTests()
    expect({ titles, tests: [...tests.keys()] }).toEqual({
      titles: ['MemoryUsageStore shared by several processes'],
      tests: [
        '4 processes × 250 concurrent 1-credit charges on a 500-credit window: exactly 500 granted, ' +
          'each told its own count, counter and ledger both 500',
        'a writer killed with SIGKILL mid-load loses no acknowledged charge',
        '4 processes × 250 charges through engines with alerts against one balance of 500: exactly 500 spent, ' +
          'never below zero, each alert fired once in total',
      ],
    })
  })

  it('fails the race on a store each process keeps to itself: all 1000 charges granted', async () => {
    const race = testNamed(registeredTests().tests, '4 processes')
    const error = await race().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AssertionError)
    expect((error as Error).message).toMatch(/^granted 1000 of 1000 charges, limit 500/)
  }, 30_000)

  it('fails the killed-writer test on such a store: the parent’s store holds none of the acked charges', async () => {
    const killed = testNamed(registeredTests().tests, 'a writer killed')
    const error = await killed().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AssertionError)
    expect((error as Error).message).toMatch(/^the ledger holds 0 credits, the writer acknowledged \d{3,}/)
  }, 30_000)

  it('fails the credits race on such a store: no worker sees the balance granted in the parent', async () => {
    const race = testNamed(registeredTests().tests, '4 processes × 250 charges through engines')
    const error = await race().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AssertionError)
    expect((error as Error).message).toMatch(/^each granted charge told its own used, 1 to 500/)
  }, 30_000)

  it('fails a test whose worker script is missing, naming the path', async () => {
    const race = testNamed(registeredTests({ workerPath: join(__dirname, 'nope.mjs') }).tests, '4 processes')
    await expect(race()).rejects.toThrow(/Invalid workerPath: .*nope\.mjs is missing/)
  })

  it('rejects a limit that the racing processes could not exceed, and counts that are not positive', () => {
    expect(() => registeredTests({ limit: 1000 })).toThrow(InvalidArgumentError)
    expect(() => registeredTests({ processes: 0 })).toThrow(/Invalid processes/)
    expect(() => registeredTests({ processes: 2, limit: 100 })).toThrow(/balance of 500/)
    expect(() => registeredTests({ timeoutMs: 1.5 })).toThrow(/Invalid timeoutMs/)
  })
})
