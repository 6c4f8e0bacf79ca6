import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { type Db, Double, MongoClient } from 'mongodb'
import { MongoUsageStore } from './mongo-usage-store.js'
import { freshDbName, mongoUrl } from './test-support/test-database.js'
import { day, MINUTE, minute, T0 } from './test-support/windows.js'

const DAY_START = day(0).start
const id = (...parts: (string | number)[]) => JSON.stringify(parts)
const n = (value: number) => new Double(value)

const admin = new MongoClient(mongoUrl())
afterAll(() => admin.close())

/** What store version 0.1.0 left for client "a": fields named by letters, and its indexes. */
async function writeLayoutOne(db: Db): Promise<void> {
  const slot = (start: number, end: number, used: number, version: number) => ({
    s: start,
    e: end,
    u: n(used),
    n: n(version),
  })
  await db.collection('x_counters').insertOne({
    _id: 'a' as never,
    w: {
      minute: slot(T0 + MINUTE, T0 + 2 * MINUTE, 7, 9),
      day: slot(DAY_START, DAY_START + 86_400_000, 40, 12),
    },
    p: { minute: slot(T0, T0 + MINUTE, 5, 6) },
  })
  const archivedStart = T0 - MINUTE
  await db.collection('x_windows').insertOne({
    _id: id('a', 'minute', archivedStart) as never,
    ...{ c: 'a', d: 'minute', s: archivedStart, e: T0, u: n(4), v: n(3) },
  })
  await db.collection('x_ledger').insertOne({ _id: id('a', T0) as never, c: 'a', b: T0, n: n(56) })
  await db.collection('x_idempotency_keys').insertOne({
    _id: id('a', 'k1') as never,
    ...{ c: 'a', k: 'k1', x: T0 + 86_400_000, st: 'done', t: 'owner-1', used: [7, 40] },
  })
  await db.collection('x_refund_keys').insertOne({ _id: id('a', 'r1') as never, c: 'a', x: T0 + 86_400_000 })
  await db.collection('x_windows').createIndex({ c: 1, d: 1, s: 1 })
  await db.collection('x_ledger').createIndex({ c: 1, b: 1 })
  await db.collection('x_idempotency_keys').createIndex({ x: 1 })
  await db.collection('x_refund_keys').createIndex({ c: 1 })
}

describe('a database written by store version 0.1 (layout 1)', () => {
  let dbName: string
  let store: MongoUsageStore
  beforeEach(async () => {
    dbName = freshDbName('layout')
    await writeLayoutOne(admin.db(dbName))
    store = MongoUsageStore.fromUrl(mongoUrl(), { dbName, collectionPrefix: 'x_' })
    await store.init()
  })
  afterEach(async () => {
    await store.close()
    await admin.db(dbName).dropDatabase()
  })

  it('reads every window where version 0.1 left it: current, previous and archived', async () => {
    expect(await store.status('a', [minute(10, 1), day(100), minute(10, 0), minute(10, -1)])).toEqual([
      7, 40, 5, 4,
    ])
  })

  it('charges on top of the counts it found, and refuses at the same limit', async () => {
    const windows = [minute(10, 1), day(100)]
    expect(await store.charge({ clientId: 'a', windows, cost: 3, at: T0 })).toEqual({
      allowed: true,
      used: [10, 43],
      replayed: false,
    })
    expect(await store.charge({ clientId: 'a', windows, cost: 1, at: T0 })).toEqual({
      allowed: false,
      used: [10, 43],
      replayed: false,
    })
    expect(await store.charge({ clientId: 'a', windows: [minute(6, 0)], cost: 1, at: T0 })).toMatchObject({
      allowed: true,
      used: [6],
    })
    expect(await store.readUsage({ clientId: 'a', from: 0, to: T0 + MINUTE })).toEqual([
      { start: T0, credits: 60, fromBalance: 0, overage: 0 },
    ])
  })

  it('replays an idempotency key and ignores a refund key that version 0.1 recorded', async () => {
    const windows = [minute(10, 1), day(100)]
    const idempotency = { key: 'k1', expiresAt: T0 + 86_400_000 }
    expect(await store.charge({ clientId: 'a', windows, cost: 1, at: T0, idempotency })).toEqual({
      allowed: true,
      used: [7, 40],
      replayed: true,
    })
    const refund = {
      clientId: 'a',
      windows,
      credits: 1,
      at: T0,
      refundKey: 'r1',
      refundKeyExpiresAt: T0 + MINUTE,
      now: T0,
    }
    expect(await store.refund(refund)).toBe(false)
    expect(await store.status('a', windows)).toEqual([7, 40])
  })

  it('leaves no document or index of the old layout, records the new one, and a second init changes nothing', async () => {
    const db = admin.db(dbName)
    for (const name of ['x_counters', 'x_windows', 'x_ledger', 'x_idempotency_keys', 'x_refund_keys']) {
      const legacy = await db
        .collection(name)
        .findOne({ $or: [{ c: { $exists: true } }, { w: { $exists: true } }] })
      expect([name, legacy]).toEqual([name, null])
      const indexes = (await db.collection(name).listIndexes().toArray()).map((i) => i.name as string)
      expect(indexes.filter((i) => /^(c|b|x|e)_1/.test(i))).toEqual([])
    }
    expect(await db.collection('x_meta').findOne({ _id: 'layout' as never })).toEqual({
      _id: 'layout',
      version: 3,
    })
    await store.init()
    expect(await store.status('a', [minute(10, 1), minute(10, -1)])).toEqual([7, 4])
  })
})

/** What the store wrote in layout 2 (before credits) for client "a": a month window, a bucket, a key. */
async function writeLayoutTwo(db: Db): Promise<void> {
  const monthStart = T0 - 14 * 86_400_000
  await db.collection('x_meta').insertOne({ _id: 'layout' as never, version: 2 })
  await db.collection('x_counters').insertOne({
    _id: 'a' as never,
    current: { month: { start: monthStart, end: monthStart + 31 * 86_400_000, used: n(7), version: n(3) } },
    previous: {},
  })
  await db
    .collection('x_ledger')
    .insertOne({ _id: id('a', T0) as never, clientId: 'a', bucketStart: T0, credits: n(7) })
  await db.collection('x_idempotency_keys').insertOne({
    _id: id('a', 'k1') as never,
    ...{ clientId: 'a', key: 'k1', expiresAt: T0 + 86_400_000, state: 'done', owner: 'o', used: [7] },
  })
  await db.collection('x_ledger').createIndex({ clientId: 1, bucketStart: 1 })
}

describe('a database written before credits (layout 2)', () => {
  const monthStart = T0 - 14 * 86_400_000
  const prepaid = (limit: number) =>
    ({
      duration: 'month',
      start: monthStart,
      end: monthStart + 31 * 86_400_000,
      limit,
      overflow: 'balance',
    }) as const
  const grant = {
    id: 'g',
    credits: 10,
    remaining: 10,
    effectiveAt: 0,
    expiresAt: undefined,
    grantedAt: 0,
    note: undefined,
  }
  let dbName: string
  let store: MongoUsageStore
  beforeEach(async () => {
    dbName = freshDbName('layout2')
    await writeLayoutTwo(admin.db(dbName))
    store = MongoUsageStore.fromUrl(mongoUrl(), { dbName, collectionPrefix: 'x_' })
    await store.init()
  })
  afterEach(async () => {
    await store.close()
    await admin.db(dbName).dropDatabase()
  })

  it('gives every ledger bucket fromBalance and overage 0 and records layout 3', async () => {
    const db = admin.db(dbName)
    expect(await db.collection('x_ledger').findOne({ _id: id('a', T0) as never })).toMatchObject({
      credits: 7,
      fromBalance: 0,
      overage: 0,
    })
    expect(await db.collection('x_meta').findOne({ _id: 'layout' as never })).toEqual({
      _id: 'layout',
      version: 3,
    })
    expect(await store.readUsage({ clientId: 'a', from: 0, to: T0 + MINUTE })).toEqual([
      { start: T0, credits: 7, fromBalance: 0, overage: 0 },
    ])
  })

  it('puts a grant beside the windows it found, charges past their count from it, and refunds back to it', async () => {
    await store.grantCredits({ clientId: 'a', grant })
    const charged = await store.charge({ clientId: 'a', windows: [prepaid(5)], cost: 2, at: T0 })
    expect([charged.used, charged.credit?.spent]).toEqual([[9], [{ grantId: 'g', credits: 2 }]])
    expect(await store.readUsage({ clientId: 'a', from: 0, to: T0 + MINUTE })).toEqual([
      { start: T0, credits: 9, fromBalance: 2, overage: 0 },
    ])
    const refund = {
      clientId: 'a',
      windows: [prepaid(5)],
      credits: 2,
      at: T0,
      refundKey: 'r',
      refundKeyExpiresAt: T0 + MINUTE,
      restore: charged.credit?.spent ?? [],
      now: T0,
    }
    expect(await store.refund(refund)).toBe(true)
    expect((await store.listGrants('a', T0)).map((g) => g.remaining)).toEqual([10])
    expect(await store.readUsage({ clientId: 'a', from: 0, to: T0 + MINUTE })).toEqual([
      { start: T0, credits: 7, fromBalance: 0, overage: 0 },
    ])
  })

  it('replays a key stored before credits without a credit outcome', async () => {
    const idempotency = { key: 'k1', expiresAt: T0 + 86_400_000 }
    expect(
      await store.charge({
        clientId: 'a',
        windows: [{ ...prepaid(100), overflow: undefined }],
        cost: 1,
        at: T0,
        idempotency,
      }),
    ).toEqual({ allowed: true, used: [7], replayed: true })
  })
})
