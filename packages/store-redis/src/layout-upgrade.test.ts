import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type StoreWindow, UNLIMITED } from '@x/api-billing-core'
import { clientKeys } from './client-keys.js'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import { RedisUsageStore } from './redis-usage-store.js'
import {
  clusterAdmin,
  clusterNodes,
  deleteKeysWithPrefix,
  freshPrefix,
  redisUrl,
  standaloneAdmin,
} from './test-support/test-redis.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const B = 15 * 60_000
const DAY_MS = 86_400_000
const DAY: StoreWindow = { duration: 'day', start: T0 - 43_200_000, end: T0 + 43_200_000, limit: UNLIMITED }
const quiet = { onWarning: () => undefined }

/** Sends one raw command routed by `key` (standalone or Cluster admin alike). */
type Run = (key: string, args: string[]) => Promise<unknown>

/**
 * Writes what the store wrote before credits existed, key by key as its charge script did: a day
 * counter and its index entry, ledger buckets (net credits only) and their index, an idempotency record
 * (`used` values only) and the client in its slot's client index. No usage-scan index.
 */
async function writeOldLayout(run: Run, prefix: string, clientId: string, buckets: number[]): Promise<void> {
  const keys = clientKeys(prefix, clientId)
  const total = buckets.reduce((sum, credits) => sum + credits, 0)
  const counter = `${keys.base}w:day:${DAY.start}`
  await run(counter, ['SET', counter, String(total)])
  await run(keys.counterIndex, ['ZADD', keys.counterIndex, String(DAY.end), `day:${DAY.start}`])
  for (const [i, credits] of buckets.entries()) {
    const start = String(T0 - DAY_MS + i * B)
    await run(keys.ledger, ['HSET', keys.ledger, start, String(credits)])
    await run(keys.ledgerIndex, ['ZADD', keys.ledgerIndex, start, start])
  }
  await run(keys.idempotency, ['HSET', keys.idempotency, 'k', String(total)])
  await run(keys.idempotencyIndex, ['ZADD', keys.idempotencyIndex, String(T0 + DAY_MS), 'k'])
  await run(keys.slotClients, ['SADD', keys.slotClients, keys.id])
}

for (const cluster of [false, true]) {
  describe(`upgrading a layout written before credits (${cluster ? '3-master Cluster' : 'standalone'})`, () => {
    const keyPrefix = freshPrefix('upgrade')
    let admin: Awaited<ReturnType<typeof clusterAdmin>> | Awaited<ReturnType<typeof standaloneAdmin>>
    let run: Run
    let store: RedisUsageStore
    const clients = ['b', 'a}x', 'A', 'ключ', 'c']

    beforeAll(async () => {
      if (cluster) {
        const c = await clusterAdmin()
        admin = c
        run = (key, args) => c.sendCommand(key, false, args)
      } else {
        const s = await standaloneAdmin()
        admin = s
        run = (_, args) => s.sendCommand(args)
      }
      for (const [i, clientId] of clients.entries())
        await writeOldLayout(run, keyPrefix, clientId, [i + 1, 2])
      const target = cluster ? { clusterNodes: clusterNodes() } : { url: redisUrl() }
      store = await createRedisUsageStore({ ...target, keyPrefix, ...quiet })
    })

    afterAll(async () => {
      await store.close()
      await admin.close()
      await deleteKeysWithPrefix(keyPrefix, cluster)
    })

    it('indexes the old ledgers on init, so that a scan finds every client, in byte-wise order', async () => {
      const rows = await store.scanUsage({ from: 0, to: T0 + DAY_MS, limit: 100 })
      const byteWise = [...clients].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
      expect([...new Set(rows.map((r) => r.clientId))]).toEqual(byteWise)
      expect(rows.filter((r) => r.clientId === 'A')).toEqual([
        { clientId: 'A', start: T0 - DAY_MS, credits: 3, fromBalance: 0, overage: 0 },
        { clientId: 'A', start: T0 - DAY_MS + B, credits: 2, fromBalance: 0, overage: 0 },
      ])
      expect(
        String(await run(`${keyPrefix}{usage-scan}:layout`, ['GET', `${keyPrefix}{usage-scan}:layout`])),
      ).toBe('2')
    })

    it('reads old buckets with no fromBalance or overage, and replays an old idempotency record', async () => {
      expect(await store.readUsage({ clientId: 'b', from: 0, to: T0 })).toEqual([
        { start: T0 - DAY_MS, credits: 1, fromBalance: 0, overage: 0 },
        { start: T0 - DAY_MS + B, credits: 2, fromBalance: 0, overage: 0 },
      ])
      const idempotency = { key: 'k', expiresAt: T0 + DAY_MS }
      expect(await store.charge({ clientId: 'b', windows: [DAY], cost: 9, at: T0, idempotency })).toEqual({
        allowed: true,
        used: [3],
        replayed: true,
      })
    })

    it('charges credits on top of the old counters and ledger', async () => {
      await store.grantCredits({
        clientId: 'c',
        grant: {
          id: 'g',
          credits: 10,
          remaining: 10,
          effectiveAt: 0,
          expiresAt: undefined,
          grantedAt: 0,
          note: undefined,
        },
      })
      const prepaid: StoreWindow = { ...DAY, limit: 8, overflow: 'balance' }
      const result = await store.charge({ clientId: 'c', windows: [prepaid], cost: 4, at: T0 })
      expect(result.used).toEqual([11])
      expect(result.credit).toEqual({
        fromBalance: 3,
        overage: 0,
        balance: 7,
        spent: [{ grantId: 'g', credits: 3 }],
        rejectedBy: undefined,
      })
      const rows = await store.scanUsage({ from: T0, to: T0 + B, limit: 10 })
      expect(rows).toEqual([{ clientId: 'c', start: T0, credits: 4, fromBalance: 3, overage: 0 }])
    })

    it('upgrades once per key prefix: a later init does not look for old ledgers again', async () => {
      await writeOldLayout(run, keyPrefix, 'late', [5])
      const again = new RedisUsageStore({ client: admin, keyPrefix, ...quiet })
      await again.init()
      await again.close()
      const rows = await store.scanUsage({ from: 0, to: T0, limit: 100 })
      expect(rows.some((r) => r.clientId === 'late')).toBe(false)
      expect(await store.readUsage({ clientId: 'late', from: 0, to: T0 })).toHaveLength(1)
    })
  })
}
