import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { type ChargeRequest, StoreUnavailableError, type StoreWindow } from '@x/api-billing-core'
import { type CommandStartedEvent, MongoClient } from 'mongodb'
import { MongoUsageStore } from './mongo-usage-store.js'
import type { ClientLockMode } from './mongo-usage-store-options.js'
import { freshDbName, mongoUrl } from './test-support/test-database.js'
import { day, MINUTE, minute, T0 } from './test-support/windows.js'
import { freePort } from './testing/index.js'

const charge = (cost: number, windows: StoreWindow[], extra: Partial<ChargeRequest> = {}): ChargeRequest => ({
  clientId: 'a',
  windows,
  cost,
  at: T0,
  ...extra,
})

const admin = new MongoClient(mongoUrl())
afterAll(() => admin.close())

// On FerretDB v1, 'auto' takes the client lock for each batch; 'never' runs the lock-free path (exact
// here because one process sends one batch per client at a time).
describe.each<ClientLockMode>(['auto', 'never'])('batched charges (clientLocks: %s)', (clientLocks) => {
  let dbName: string
  let client: MongoClient
  let store: MongoUsageStore
  const counterWrites: string[] = []
  beforeEach(async () => {
    dbName = freshDbName('batch')
    client = new MongoClient(mongoUrl(), { monitorCommands: true })
    counterWrites.length = 0
    client.on('commandStarted', (event: CommandStartedEvent) => {
      const target = event.command.findAndModify ?? event.command.update ?? event.command.insert
      if (target === 'x_counters') counterWrites.push(event.commandName)
    })
    store = new MongoUsageStore({ client, dbName, collectionPrefix: 'x_', clientLocks })
    await store.init()
  })
  afterEach(async () => {
    await store.close()
    await client.close()
    await admin.db(dbName).dropDatabase()
  })

  it('grants exactly the limit to one client charged many times at once, each caller its own count', async () => {
    await store.charge(charge(1, [minute(40), day(1_000)]))
    counterWrites.length = 0
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.charge(charge(1, [minute(40), day(1_000)]))),
    )
    const granted = results.filter((r) => r.allowed)
    expect(granted.map((r) => r.used[0])).toEqual(Array.from({ length: 39 }, (_, i) => i + 2))
    expect(granted.map((r) => r.used[1])).toEqual(Array.from({ length: 39 }, (_, i) => i + 2))
    expect(results.filter((r) => !r.allowed).every((r) => r.used[0] === 40 && r.used[1] === 40)).toBe(true)
    expect(await store.status('a', [minute(40), day(1_000)])).toEqual([40, 40])
    expect(await store.readUsage({ clientId: 'a', from: 0, to: T0 + MINUTE })).toEqual([
      { start: T0, credits: 40, fromBalance: 0, overage: 0 },
    ])
    // 100 charges, one batch: far fewer counter writes than charges.
    expect(counterWrites.length).toBeLessThanOrEqual(3)
  })

  it('answers requests of different costs in one batch in arrival order', async () => {
    await store.charge(charge(0, [minute(10), day(100)]))
    const results = await Promise.all(
      [3, 5, 4, 2].map((cost) => store.charge(charge(cost, [minute(10), day(100)]))),
    )
    expect(results).toEqual([
      { allowed: true, used: [3, 3], replayed: false },
      { allowed: true, used: [8, 8], replayed: false },
      { allowed: false, used: [8, 8], replayed: false },
      { allowed: true, used: [10, 10], replayed: false },
    ])
  })

  it('charges a key twice in one batch once and replays the first answer to the second', async () => {
    const idempotency = { key: 'k', expiresAt: T0 + MINUTE }
    const results = await Promise.all([
      store.charge(charge(2, [minute(10)], { idempotency })),
      store.charge(charge(2, [minute(10)], { idempotency })),
      store.charge(charge(1, [minute(10)], { idempotency: { key: 'other', expiresAt: T0 + MINUTE } })),
    ])
    expect(results).toEqual([
      { allowed: true, used: [2], replayed: false },
      { allowed: true, used: [2], replayed: true },
      { allowed: true, used: [3], replayed: false },
    ])
    expect(await store.status('a', [minute(10)])).toEqual([3])
  })

  it('stays exact when requests of one batch fall in different windows', async () => {
    await store.charge(charge(1, [minute(5)]))
    const results = await Promise.all([
      store.charge(charge(3, [minute(5)])),
      store.charge(charge(4, [minute(5, 1)])),
      store.charge(charge(2, [minute(5)])),
      store.charge(charge(1, [minute(5)])),
    ])
    expect(results.map((r) => [r.allowed, ...r.used])).toEqual([
      [true, 4],
      [true, 4],
      [false, 4],
      [true, 5],
    ])
    expect(await store.status('a', [minute(5), minute(5, 1)])).toEqual([5, 4])
  })
})

describe('batching: false', () => {
  it('sends every charge alone', async () => {
    const dbName = freshDbName('nobatch')
    const client = new MongoClient(mongoUrl(), { monitorCommands: true })
    let counterWrites = 0
    client.on('commandStarted', (event: CommandStartedEvent) => {
      if ((event.command.findAndModify ?? event.command.update) === 'x_counters') counterWrites++
    })
    const store = new MongoUsageStore({ client, dbName, collectionPrefix: 'x_', batching: false })
    try {
      await store.init()
      await store.charge(charge(1, [minute(100)]))
      counterWrites = 0
      await Promise.all(Array.from({ length: 20 }, () => store.charge(charge(1, [minute(100)]))))
      expect(counterWrites).toBe(20)
      expect(await store.status('a', [minute(100)])).toEqual([21])
    } finally {
      await store.close()
      await client.close()
      await admin.db(dbName).dropDatabase()
    }
  })
})

describe('a batch that fails', () => {
  it('fails every caller with StoreUnavailableError', async () => {
    const port = await freePort()
    const store = MongoUsageStore.fromUrl(`mongodb://127.0.0.1:${port}/`, {
      clientLocks: 'never',
      clientOptions: { serverSelectionTimeoutMS: 300 },
    })
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => store.charge(charge(1, [minute(10)]))),
    )
    await store.close()
    expect(settled.map((s) => s.status)).toEqual(Array(5).fill('rejected'))
    for (const s of settled) expect((s as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError)
  })

  it('rejects bad batching options with InvalidArgumentError naming the option', () => {
    const batching = 'yes' as unknown as boolean
    expect(() => MongoUsageStore.fromUrl(mongoUrl(), { batching })).toThrow(/batching/)
    expect(() => MongoUsageStore.fromUrl(mongoUrl(), { maxBatchSize: 0 })).toThrow(/maxBatchSize/)
    expect(() => MongoUsageStore.fromUrl(mongoUrl(), { maxBatchSize: 1.5 })).toThrow(/maxBatchSize/)
  })
})
