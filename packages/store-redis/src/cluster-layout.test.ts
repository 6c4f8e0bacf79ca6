import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { StoreWindow } from '@x/api-billing-core'
import { hashSlot } from './cluster-slot.js'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import { escapeKeyPart } from './escape-key-part.js'
import { RedisUsageStore } from './redis-usage-store.js'
import { clusterAdmin, clusterNodes, deleteKeysWithPrefix, freshPrefix } from './test-support/test-redis.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const MINUTE: StoreWindow = { duration: 'minute', start: T0, end: T0 + 60_000, limit: 1_000 }
const DAY: StoreWindow = { duration: 'day', start: T0 - 43_200_000, end: T0 + 43_200_000, limit: 10_000 }
const ODD_IDS = [
  'a}b',
  'a%7Db',
  'a%7db',
  '{a}',
  'a{b}c',
  '}',
  '{',
  '{}',
  '%',
  '%25',
  '\uD800',
  '\uD801',
  '\uDC00x',
].concat(['🙂', '\uD83D\uDE42x', 'e\u0301', 'é', 'ключ', ' ', 'a b', '\u0000', 'a:l', 'a}:l', '*', '[a]'])

let admin: Awaited<ReturnType<typeof clusterAdmin>>
let store: RedisUsageStore
const keyPrefix = freshPrefix('layout')

beforeAll(async () => {
  admin = await clusterAdmin()
  store = await createRedisUsageStore({ clusterNodes: clusterNodes(), keyPrefix, onWarning: () => undefined })
})

afterAll(async () => {
  await store.close()
  await deleteKeysWithPrefix(keyPrefix, true)
  await admin.close()
})

/** Every key of the cluster under the test's prefix, with the master that holds it. */
async function keysByMaster(): Promise<Map<string, string[]>> {
  const byMaster = new Map<string, string[]>()
  for (const master of admin.masters) {
    const node = await admin.nodeClient(master)
    const keys: string[] = []
    for await (const batch of node.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1_000 })) keys.push(...batch)
    byMaster.set(`${master.host}:${master.port}`, keys)
  }
  return byMaster
}

async function keySlot(key: string): Promise<number> {
  const node = await admin.nodeClient(admin.masters[0] as (typeof admin.masters)[number])
  return Number(await node.sendCommand(['CLUSTER', 'KEYSLOT', key]))
}

/** Charges `clientId` with an idempotency key and refunds once, so that every kind of key exists. */
async function touchEverything(clientId: string, cost: number): Promise<void> {
  const idempotency = { key: `k-${clientId}`, expiresAt: T0 + 3_600_000 }
  await store.charge({ clientId, windows: [MINUTE, DAY], cost: cost + 1, at: T0, idempotency })
  const refund = { refundKey: `r-${clientId}`, refundKeyExpiresAt: T0 + 86_400_000, now: T0 }
  await store.refund({ clientId, windows: [MINUTE, DAY], credits: 1, at: T0, ...refund })
}

describe('an application cluster client', () => {
  it('is used as given, warned about per master, and left open on close', async () => {
    const warnings: string[] = []
    const store = new RedisUsageStore({ client: admin, keyPrefix, onWarning: (w) => warnings.push(w) })
    await store.init()
    expect(warnings).toHaveLength(3)
    expect(new Set(warnings.map((w) => w.split(' ')[2])).size).toBe(3) // one per master, named host:port
    expect((await store.charge({ clientId: 'given', windows: [MINUTE], cost: 1, at: T0 })).used).toEqual([1])
    await store.close()
    expect(admin.isOpen).toBe(true)
    expect(store.client.isOpen).toBe(true)
  })
})

describe('key layout on a 3-master Redis Cluster', () => {
  it('computes the same hash slot as CLUSTER KEYSLOT, for plain and odd tags', async () => {
    for (const tag of ['a', 'user:1000', 'ключ', '🙂', 'a%7Db', '0', 'zz9', ...ODD_IDS.map(escapeKeyPart)]) {
      expect(hashSlot(tag)).toBe(await keySlot(`x{${tag}}y`))
    }
  })

  it('spreads clients over every master and keeps all keys of a client, and its index entry, in one slot', async () => {
    const clients = Array.from({ length: 30 }, (_, i) => `client-${i}`)
    for (const [i, clientId] of clients.entries()) await touchEverything(clientId, i + 1)
    const byMaster = await keysByMaster()
    expect([...byMaster.values()].filter((keys) => keys.some((k) => k.includes('{client-'))).length).toBe(3)
    for (const clientId of clients) {
      const own = [...byMaster.values()].flat().filter((key) => key.startsWith(`${keyPrefix}{${clientId}}:`))
      expect(own.length).toBeGreaterThanOrEqual(8) // 2 counters, ledger and index, counter index, keys, refunds
      const slots = new Set(await Promise.all(own.map(keySlot)))
      expect([...slots]).toEqual([hashSlot(clientId)])
      const holders = [...byMaster.entries()].filter(([, keys]) => own.some((k) => keys.includes(k)))
      expect(holders).toHaveLength(1)
    }
  })

  it('keeps made-up client ids with braces, percent signs and odd Unicode apart, each in one slot', async () => {
    for (const [i, clientId] of ODD_IDS.entries()) await touchEverything(clientId, i + 1)
    for (const [i, clientId] of ODD_IDS.entries()) {
      expect(await store.status(clientId, [MINUTE, DAY])).toEqual([i + 1, i + 1])
      const buckets = await store.readUsage({ clientId, from: 0, to: T0 + 86_400_000 })
      expect(buckets.map((b) => b.credits)).toEqual([i + 1])
      const replay = await store.charge({
        clientId,
        windows: [MINUTE],
        cost: 1,
        at: T0,
        idempotency: { key: `k-${clientId}`, expiresAt: T0 + 3_600_000 },
      })
      expect(replay).toEqual({ allowed: true, used: [i + 2, i + 2], replayed: true })
    }
    const all = [...(await keysByMaster()).values()].flat()
    for (const clientId of ODD_IDS) {
      const own = all.filter((key) => key.startsWith(`${keyPrefix}{${escapeKeyPart(clientId)}}:`))
      const slots = new Set(await Promise.all(own.map(keySlot)))
      expect(slots.size).toBe(1)
    }
  })
})

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

describe('usage scan on a 3-master Redis Cluster', () => {
  it('pages through every client across the masters in byte-wise order of the UTF-8 ids', async () => {
    const prefix = freshPrefix('scan')
    const own = await createRedisUsageStore({
      clusterNodes: clusterNodes(),
      keyPrefix: prefix,
      onWarning: () => {},
    })
    const ids = [...Array.from({ length: 40 }, (_, i) => `client-${i}`), ...ODD_IDS]
    for (const [i, clientId] of ids.entries()) {
      await own.charge({ clientId, windows: [DAY], cost: i + 1, at: T0 })
      await own.charge({ clientId, windows: [DAY], cost: 1, at: T0 + 15 * 60_000 })
    }
    const rows: { clientId: string; start: number; credits: number }[] = []
    for (;;) {
      const last = rows[rows.length - 1]
      const page = await own.scanUsage({
        from: T0,
        to: T0 + 86_400_000,
        limit: 7,
        ...(last === undefined ? {} : { after: { clientId: last.clientId, start: last.start } }),
      })
      rows.push(...page)
      if (page.length < 7) break
    }
    await own.close()
    await deleteKeysWithPrefix(prefix, true)
    expect(rows).toHaveLength(2 * ids.length)
    const scanned = rows.filter((_, i) => i % 2 === 0).map((r) => r.clientId)
    expect(new Set(scanned)).toEqual(new Set(ids))
    // Lone surrogates have no UTF-8 form of their own; every other id compares by its UTF-8 bytes.
    const wellFormed = scanned.filter((id) => !LONE_SURROGATE.test(id))
    const byteWise = [...wellFormed].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    expect(wellFormed).toEqual(byteWise)
    for (const [i, clientId] of ids.entries()) {
      expect(rows.filter((r) => r.clientId === clientId).map((r) => r.credits)).toEqual([i + 1, 1])
    }
  })
})
