import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { InvalidArgumentError, StoreUnavailableError } from '@x/api-billing-core'
import { MongoClient } from 'mongodb'
import { MongoUsageStore } from './mongo-usage-store.js'
import { freshDbName, mongoUrl } from './test-support/test-database.js'
import { day, MINUTE, minute, T0 } from './test-support/windows.js'
import { freePort } from './testing/index.js'

const admin = new MongoClient(mongoUrl())
afterAll(() => admin.close())

describe('MongoUsageStore options', () => {
  it('rejects bad options with InvalidArgumentError naming the option', () => {
    expect(() => MongoUsageStore.fromUrl('http://localhost')).toThrow(InvalidArgumentError)
    expect(() => MongoUsageStore.fromUrl(mongoUrl(), { collectionPrefix: 'a b' })).toThrow(/collectionPrefix/)
    expect(() => MongoUsageStore.fromUrl(mongoUrl(), { dbName: 'a/b' })).toThrow(/dbName/)
    expect(() => MongoUsageStore.fromUrl(mongoUrl(), { leaseMs: -1 })).toThrow(/leaseMs/)
    const clientLocks = 'sometimes' as 'auto'
    expect(() => MongoUsageStore.fromUrl(mongoUrl(), { clientLocks })).toThrow(/clientLocks/)
    expect(() => new MongoUsageStore({ client: {} as MongoClient })).toThrow(/client/)
  })

  it('fails fast with StoreUnavailableError, cause attached, when no server listens', async () => {
    const port = await freePort()
    const store = MongoUsageStore.fromUrl(`mongodb://127.0.0.1:${port}/`, {
      clientOptions: { serverSelectionTimeoutMS: 300 },
    })
    const failure = await store.status('a', [minute(1)]).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect((failure as StoreUnavailableError).cause).toBeInstanceOf(Error)
    await store.close()
  })

  it('reports a lock that cannot be taken as StoreUnavailableError naming the client', async () => {
    const port = await freePort()
    const store = MongoUsageStore.fromUrl(`mongodb://127.0.0.1:${port}/`, {
      clientLocks: 'always',
      clientOptions: { serverSelectionTimeoutMS: 300 },
    })
    const failure = await store
      .charge({ clientId: 'a', windows: [minute(1)], cost: 1, at: T0 })
      .catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect((failure as StoreUnavailableError).message).toMatch(/could not lock client "a"/)
    expect((failure as StoreUnavailableError).cause).toBeInstanceOf(Error)
    await store.close()
  })

  it('leaves an application-owned client open on close and rejects calls afterwards', async () => {
    const client = new MongoClient(mongoUrl())
    const store = new MongoUsageStore({ client, dbName: freshDbName('own') })
    await store.close()
    await expect(store.status('a', [minute(1)])).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 })
    await client.close()
  })
})

describe('MongoUsageStore windows and numbers', () => {
  let dbName: string
  let store: MongoUsageStore
  beforeEach(async () => {
    dbName = freshDbName('st')
    store = MongoUsageStore.fromUrl(mongoUrl(), { dbName, collectionPrefix: 'x_' })
    await store.init()
  })
  afterEach(async () => {
    await store.close()
    await admin.db(dbName).dropDatabase()
  })

  it('charges a window two behind the newest and keeps all-or-nothing with the current ones', async () => {
    const m = (i: number, limit = 10) => minute(limit, i)
    await store.charge({ clientId: 'a', windows: [m(0)], cost: 2, at: T0 })
    await store.charge({ clientId: 'a', windows: [m(1)], cost: 3, at: T0 + MINUTE })
    await store.charge({ clientId: 'a', windows: [m(2)], cost: 4, at: T0 + 2 * MINUTE })
    const late = await store.charge({ clientId: 'a', windows: [m(0), day(100)], cost: 1, at: T0 })
    expect(late).toEqual({ allowed: true, used: [3, 1], replayed: false })
    const rejected = await store.charge({ clientId: 'a', windows: [day(100), m(0, 3)], cost: 1, at: T0 })
    expect(rejected).toEqual({ allowed: false, used: [1, 3], replayed: false })
    const stopped = await store.charge({ clientId: 'a', windows: [day(1), m(0)], cost: 1, at: T0 })
    expect(stopped.allowed).toBe(false)
    expect(await store.status('a', [m(0), m(1), m(2), day(100)])).toEqual([3, 3, 4, 1])
    expect(
      await store.refund({
        clientId: 'a',
        windows: [m(0)],
        credits: 5,
        at: T0,
        refundKey: 'r',
        refundKeyExpiresAt: T0 + MINUTE,
        now: T0,
      }),
    ).toBe(true)
    expect(await store.status('a', [m(0)])).toEqual([0])
  })

  it.each([true, false])(
    'grants exactly each limit when two instances with clocks a minute apart race at a boundary (batching: %s)',
    async (batching) => {
      const first = MongoUsageStore.fromUrl(mongoUrl(), { dbName, collectionPrefix: 'x_', batching })
      const other = MongoUsageStore.fromUrl(mongoUrl(), { dbName, collectionPrefix: 'x_', batching })
      const older = minute(30)
      const newer = minute(30, 1)
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          i % 2 === 0
            ? first.charge({ clientId: 'b', windows: [older], cost: 1, at: T0 })
            : other.charge({ clientId: 'b', windows: [newer], cost: 1, at: T0 + MINUTE }),
        ),
      )
      await first.close()
      await other.close()
      expect(results.filter((r, i) => r.allowed && i % 2 === 0)).toHaveLength(30)
      expect(results.filter((r, i) => r.allowed && i % 2 === 1)).toHaveLength(30)
      expect(await store.status('b', [older, newer])).toEqual([30, 30])
    },
  )

  it('keeps counters and the ledger exact up to 2^53', async () => {
    const window = minute(2 ** 53)
    await store.charge({ clientId: 'big', windows: [window], cost: 2 ** 53 - 1, at: T0 })
    expect((await store.charge({ clientId: 'big', windows: [window], cost: 1, at: T0 })).used).toEqual([
      2 ** 53,
    ])
    expect((await store.charge({ clientId: 'big', windows: [window], cost: 1, at: T0 })).allowed).toBe(false)
    const buckets = await store.readUsage({ clientId: 'big', from: 0, to: T0 + MINUTE })
    expect(buckets).toEqual([{ start: T0, credits: 2 ** 53, fromBalance: 0, overage: 0 }])
  })
})
