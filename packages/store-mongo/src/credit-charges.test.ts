import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { ChargeRequest, StoredGrant, StoreWindow } from '@x/api-billing-core'
import { type CommandStartedEvent, MongoClient } from 'mongodb'
import { planCreditBatch } from './credit-batches.js'
import { MongoUsageStore } from './mongo-usage-store.js'
import type { ClientLockMode } from './mongo-usage-store-options.js'
import type { CounterDocument } from './store-documents.js'
import { freshDbName, mongoUrl } from './test-support/test-database.js'
import { T0 } from './test-support/windows.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const MONTH_START = T0 - 14 * DAY
/** The month window of {@link T0} (`i` = 0) or `i` months of 31 days later, overflowing into the balance. */
const prepaid = (limit: number, i = 0): StoreWindow => ({
  duration: 'month',
  start: MONTH_START + i * 31 * DAY,
  end: MONTH_START + (i + 1) * 31 * DAY,
  limit,
  overflow: 'balance',
})
const grant = (id: string, credits: number, extra: Partial<StoredGrant> = {}): StoredGrant => ({
  id,
  credits,
  remaining: credits,
  effectiveAt: T0 - 60 * DAY,
  expiresAt: undefined,
  grantedAt: T0 - DAY,
  note: undefined,
  ...extra,
})
const charge = (cost: number, windows: StoreWindow[], extra: Partial<ChargeRequest> = {}): ChargeRequest => ({
  clientId: 'a',
  windows,
  cost,
  at: T0,
  ...extra,
})

const admin = new MongoClient(mongoUrl())
afterAll(() => admin.close())

// On FerretDB v1, 'auto' takes the client lock for each credit batch; 'never' runs the lock-free path
// (exact here because one process sends one credit batch per client at a time).
describe.each<ClientLockMode>(['auto', 'never'])('credit charges (clientLocks: %s)', (clientLocks) => {
  let dbName: string
  let client: MongoClient
  let store: MongoUsageStore
  const writes: string[] = []
  beforeEach(async () => {
    dbName = freshDbName('credit')
    client = new MongoClient(mongoUrl(), { monitorCommands: true })
    writes.length = 0
    client.on('commandStarted', (event: CommandStartedEvent) => {
      const target = event.command.findAndModify ?? event.command.update ?? event.command.insert
      if (target === 'x_counters' || target === 'x_ledger') writes.push(`${target}.${event.commandName}`)
    })
    store = new MongoUsageStore({ client, dbName, collectionPrefix: 'x_', clientLocks })
    await store.init()
  })
  afterEach(async () => {
    await store.close()
    await client.close()
    await admin.db(dbName).dropDatabase()
  })

  it('charges the windows and spends the grants with one update of the counter document; a rejection writes nothing', async () => {
    await store.grantCredits({ clientId: 'a', grant: grant('g', 5) })
    await store.charge(charge(2, [prepaid(2)]))
    writes.length = 0
    const spent = await store.charge(charge(3, [prepaid(2)]))
    expect(spent.credit?.spent).toEqual([{ grantId: 'g', credits: 3 }])
    expect(writes).toEqual(['x_counters.update', 'x_ledger.update'])
    writes.length = 0
    const rejected = await store.charge(charge(3, [prepaid(2)]))
    expect(rejected.credit?.rejectedBy).toBe('balance')
    expect(writes).toEqual([])
  })

  it('answers 100 credit charges of one client at once exactly, each its own balance, in a few counter writes', async () => {
    await store.grantCredits({ clientId: 'a', grant: grant('g1', 30, { expiresAt: T0 + DAY }) })
    await store.grantCredits({ clientId: 'a', grant: grant('g2', 10) })
    await store.charge(charge(0, [prepaid(5)]))
    writes.length = 0
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.charge(charge(1, [prepaid(5)]))),
    )
    const granted = results.filter((r) => r.allowed)
    expect(granted.map((r) => r.used[0])).toEqual(Array.from({ length: 45 }, (_, i) => i + 1))
    expect(granted.slice(5).map((r) => r.credit?.balance)).toEqual(
      Array.from({ length: 40 }, (_, i) => 39 - i),
    )
    expect(results.filter((r) => !r.allowed).every((r) => r.credit?.rejectedBy === 'balance')).toBe(true)
    expect(await store.listGrants('a', T0)).toEqual([])
    expect(writes.filter((w) => w.startsWith('x_counters')).length).toBeLessThanOrEqual(3)
  })

  it('rolls a credit window into a new month, and charges a month two behind (archived) from the balance', async () => {
    await store.grantCredits({ clientId: 'a', grant: grant('g', 20) })
    expect((await store.charge(charge(3, [prepaid(1, 0)]))).credit?.fromBalance).toBe(2)
    expect((await store.charge(charge(4, [prepaid(1, 1)]))).credit?.fromBalance).toBe(3)
    expect((await store.charge(charge(2, [prepaid(1, 2)]))).credit?.fromBalance).toBe(1)
    // Month 0 is now in the archive collection: a lagging clock still charges it, past its limit.
    const late = await store.charge(charge(2, [prepaid(1, 0)]))
    expect([late.allowed, late.used, late.credit?.fromBalance, late.credit?.balance]).toEqual([
      true,
      [5],
      2,
      12,
    ])
    expect(await store.status('a', [prepaid(1, 0), prepaid(1, 1), prepaid(1, 2)])).toEqual([5, 4, 2])
    expect((await store.listGrants('a', T0)).map((g) => g.remaining)).toEqual([12])
  })

  it('keeps grants when the whole client is deleted, and charges the emptied document anew', async () => {
    await store.grantCredits({ clientId: 'a', grant: grant('g', 5), idempotencyKey: 'k' })
    await store.charge(charge(2, [prepaid(0)]))
    await store.deleteUsage({ clientId: 'a' })
    expect(await store.status('a', [prepaid(0)])).toEqual([0])
    expect(await store.charge(charge(1, [{ ...prepaid(0), overflow: undefined, limit: 5 }]))).toEqual({
      allowed: true,
      used: [1],
      replayed: false,
    })
    expect((await store.charge(charge(1, [prepaid(1)]))).credit).toEqual({
      fromBalance: 1,
      overage: 0,
      balance: 2,
      spent: [{ grantId: 'g', credits: 1 }],
      rejectedBy: undefined,
    })
    expect((await store.grantCredits({ clientId: 'a', grant: grant('g2', 9), idempotencyKey: 'k' })).id).toBe(
      'g',
    )
  })

  it('keeps grant ids and keys of any characters apart', async () => {
    for (const id of ['a.b', '$x', 'ü', 'a.b '])
      await store.grantCredits({ clientId: 'a', grant: grant(id, 1), idempotencyKey: `${id}.k` })
    expect((await store.listGrants('a', T0)).map((g) => g.id)).toEqual(['$x', 'a.b', 'a.b ', 'ü'])
    expect(await store.voidGrant('a', 'a.b')).toBe(true)
    expect(
      (await store.grantCredits({ clientId: 'a', grant: grant('z', 1), idempotencyKey: 'ü.k' })).id,
    ).toBe('ü')
    expect((await store.listGrants('a', T0)).map((g) => g.id)).toEqual(['$x', 'a.b ', 'ü'])
  })

  it('a credit update decided on a read that changed since does not match: counts, spends, voids, new grants', async () => {
    const counters = client.db(dbName).collection<CounterDocument>('x_counters')
    await store.grantCredits({ clientId: 'a', grant: grant('g1', 5) })
    await store.grantCredits({ clientId: 'a', grant: grant('g2', 5) })
    await store.charge(charge(0, [prepaid(0)]))
    const changes: (() => Promise<unknown>)[] = [
      () => store.charge(charge(1, [{ ...prepaid(0), overflow: undefined, limit: 100 }])),
      () => store.charge(charge(1, [prepaid(0)])),
      () => store.voidGrant('a', 'g2'),
      () => store.grantCredits({ clientId: 'a', grant: grant('g3', 1, { expiresAt: T0 + HOUR }) }),
    ]
    for (const change of changes) {
      const read = await counters.findOne({ _id: 'a' })
      const plan = planCreditBatch(read, 'a', [{ windows: [prepaid(0)], cost: 1, at: T0 }])
      await change()
      const write = plan?.write
      if (write === undefined) throw new Error('expected a write')
      expect((await counters.updateOne(write.filter, write.update)).matchedCount).toBe(0)
    }
    const [used] = await store.status('a', [prepaid(0)])
    const left = (await store.listGrants('a', T0)).reduce((sum, g) => sum + g.remaining, 0)
    expect([used, left]).toEqual([2, 10 - 1 - 5 + 1])
  })
})

describe('credit charges from two store instances (clientLocks: auto)', () => {
  let dbName: string
  const stores: MongoUsageStore[] = []
  beforeEach(() => {
    dbName = freshDbName('credit2')
  })
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close()
    await admin.db(dbName).dropDatabase()
  })

  it('spend exactly the balance between them, no grant below zero', async () => {
    for (let i = 0; i < 2; i++) {
      const store = MongoUsageStore.fromUrl(mongoUrl(), { dbName })
      await store.init()
      stores.push(store)
    }
    const [first, second] = stores as [MongoUsageStore, MongoUsageStore]
    await first.grantCredits({ clientId: 'a', grant: grant('g1', 40, { expiresAt: T0 + DAY }) })
    await second.grantCredits({ clientId: 'a', grant: grant('g2', 20) })
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? first : second).charge(charge(1, [prepaid(0)]))),
    )
    const granted = results.filter((r) => r.allowed)
    expect(granted.length).toBe(60)
    expect(new Set(granted.map((r) => r.credit?.balance)).size).toBe(60)
    expect(await first.status('a', [prepaid(0)])).toEqual([60])
    expect(await first.listGrants('a', T0)).toEqual([])
  })
})
