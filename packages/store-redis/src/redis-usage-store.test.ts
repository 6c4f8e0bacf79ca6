import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { InvalidArgumentError, StoreUnavailableError, type StoreWindow } from '@x/api-billing-core'
import { createClient } from 'redis'
import { clientKeys } from './client-keys.js'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import type { RedisStoreClient } from './redis-clients.js'
import { RedisUsageStore } from './redis-usage-store.js'
import type { CreateRedisUsageStoreOptions } from './redis-usage-store-options.js'
import { freePort, type RedisServerProcess, startRedisServer } from './test-support/redis-server-process.js'
import {
  deleteKeysWithPrefix,
  freshPrefix,
  keysWithPrefix,
  redisUrl,
  standaloneAdmin,
} from './test-support/test-redis.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const MINUTE: StoreWindow = { duration: 'minute', start: T0, end: T0 + 60_000, limit: 100 }
const DAY: StoreWindow = { duration: 'day', start: T0 - 43_200_000, end: T0 + 43_200_000, limit: 1_000 }
const quiet = { onWarning: () => undefined }

describe('options', () => {
  const bad: [string, unknown][] = [
    ['a key prefix with a brace', { url: redisUrl(), keyPrefix: 'a{b' }],
    ['a key prefix that is not a string', { url: redisUrl(), keyPrefix: 7 }],
    ['a non-positive command timeout', { url: redisUrl(), commandTimeoutMs: 0 }],
    ['an infinite connect timeout', { url: redisUrl(), connectTimeoutMs: Number.POSITIVE_INFINITY }],
    ['an http URL', { url: 'http://127.0.0.1:6379' }],
    ['a URL that is not one', { url: 'not a url' }],
    ['both url and clusterNodes', { url: redisUrl(), clusterNodes: [redisUrl()] }],
    ['no url and no nodes', {}],
    ['an empty node list', { clusterNodes: [] }],
    ['a bad node URL', { clusterNodes: [redisUrl(), 'tcp://x:1'] }],
    ['an onWarning that is not a function', { url: redisUrl(), onWarning: 'log' }],
  ]
  it.each(bad)('rejects %s with InvalidArgumentError before connecting', async (_, options) => {
    await expect(createRedisUsageStore(options as CreateRedisUsageStoreOptions)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
  })

  it('rejects a client that is not a node-redis client', () => {
    expect(() => new RedisUsageStore({ client: {} as RedisStoreClient })).toThrow(InvalidArgumentError)
  })

  it('rejects an empty client id with InvalidArgumentError', async () => {
    const store = await createRedisUsageStore({ url: redisUrl(), keyPrefix: freshPrefix('opt'), ...quiet })
    await expect(store.charge({ clientId: '', windows: [MINUTE], cost: 1, at: T0 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    await store.close()
  })
})

describe('connections', () => {
  it('rejects with StoreUnavailableError when nothing listens, instead of retrying forever', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`
    await expect(createRedisUsageStore({ url, ...quiet })).rejects.toBeInstanceOf(StoreUnavailableError)
  })

  it('leaves the application’s client open on close and keeps working through it', async () => {
    const client = createClient({ url: redisUrl() })
    await client.connect()
    const keyPrefix = freshPrefix('own')
    const store = new RedisUsageStore({ client, keyPrefix, ...quiet })
    await store.init()
    expect((await store.charge({ clientId: 'a', windows: [MINUTE], cost: 2, at: T0 })).used).toEqual([2])
    await store.close()
    expect(client.isOpen).toBe(true)
    expect(await client.ping()).toBe('PONG')
    expect(client.listenerCount('error')).toBe(0)
    await expect(store.status('a', [MINUTE])).rejects.toBeInstanceOf(StoreUnavailableError)
    await client.close()
    await deleteKeysWithPrefix(keyPrefix)
  })

  it('quits the client it made on close', async () => {
    const store = await createRedisUsageStore({ url: redisUrl(), keyPrefix: freshPrefix('own'), ...quiet })
    expect(store.client.isOpen).toBe(true)
    await store.close()
    expect(store.client.isOpen).toBe(false)
  })

  it('reloads its scripts after the server forgot them (SCRIPT FLUSH, a restart or a failover)', async () => {
    const keyPrefix = freshPrefix('flush')
    const store = await createRedisUsageStore({ url: redisUrl(), keyPrefix, ...quiet })
    const admin = await standaloneAdmin()
    await store.charge({ clientId: 'a', windows: [MINUTE], cost: 1, at: T0 })
    await admin.scriptFlush()
    expect((await store.charge({ clientId: 'a', windows: [MINUTE], cost: 1, at: T0 })).used).toEqual([2])
    expect(await store.readUsage({ clientId: 'a', from: 0, to: T0 + 1 })).toEqual([
      { start: T0, credits: 2, fromBalance: 0, overage: 0 },
    ])
    await store.close()
    await admin.close()
    await deleteKeysWithPrefix(keyPrefix)
  })
})

describe('a server of its own', () => {
  const servers: RedisServerProcess[] = []
  const start = async (args: string[]) => {
    const server = await startRedisServer({ args })
    servers.push(server)
    return server
  }
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')))
  })

  it('warns through onWarning when the server keeps nothing on disk', async () => {
    const server = await start([])
    const warnings: string[] = []
    const store = await createRedisUsageStore({ url: server.url, onWarning: (w) => warnings.push(w) })
    await store.close()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('keeps nothing on disk')
  })

  it('warns when only RDB snapshots are kept, and not at all with an AOF', async () => {
    const rdb = await start(['--save', '3600 1'])
    const aof = await start(['--appendonly', 'yes'])
    const warnings: string[] = []
    for (const server of [rdb, aof]) {
      await (await createRedisUsageStore({ url: server.url, onWarning: (w) => warnings.push(w) })).close()
    }
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('only RDB snapshots')
  })

  it('starts without a warning when CONFIG is disabled, as on managed services', async () => {
    const server = await start(['--rename-command', 'CONFIG', '""'])
    const warnings: string[] = []
    const store = await createRedisUsageStore({ url: server.url, onWarning: (w) => warnings.push(w) })
    expect((await store.charge({ clientId: 'a', windows: [MINUTE], cost: 1, at: T0 })).allowed).toBe(true)
    await store.close()
    expect(warnings).toEqual([])
  })

  it('works through an application client speaking RESP2, which it leaves open', async () => {
    const server = await start([])
    const client = createClient({ url: server.url, RESP: 2 })
    client.on('error', () => undefined)
    await client.connect()
    const warnings: string[] = []
    const store = new RedisUsageStore({ client, onWarning: (w) => warnings.push(w) })
    await store.init()
    expect(warnings).toHaveLength(1) // CONFIG GET answered as a RESP2 list
    const idempotency = { key: 'k', expiresAt: T0 + 60_000 }
    await store.charge({ clientId: 'a', windows: [MINUTE, DAY], cost: 5, at: T0, idempotency })
    expect(
      await store.charge({ clientId: 'a', windows: [MINUTE, DAY], cost: 5, at: T0, idempotency }),
    ).toEqual({
      allowed: true,
      used: [5, 5],
      replayed: true,
    })
    await store.refund({
      clientId: 'a',
      windows: [DAY],
      credits: 2,
      at: T0,
      refundKey: 'r',
      refundKeyExpiresAt: T0,
      now: T0,
    })
    expect(await store.status('a', [MINUTE, DAY])).toEqual([5, 3])
    expect(await store.readUsage({ clientId: 'a', from: 0, to: T0 + 1 })).toEqual([
      { start: T0, credits: 3, fromBalance: 0, overage: 0 },
    ])
    await store.purge({ before: T0 + 86_400_000, now: T0 + 86_400_000 }) // SMEMBERS answered as a RESP2 list
    expect(await store.status('a', [MINUTE, DAY])).toEqual([0, 0])
    // Only the layout marker of the usage-scan index is left (the purge dropped the index's days).
    expect(await client.keys('*')).toEqual(['api-billing:{usage-scan}:layout'])
    await store.close()
    expect(client.isOpen).toBe(true)
    await client.close()
  })

  it('rejects with StoreUnavailableError after commandTimeoutMs while the server hangs, then works again', async () => {
    const server = await start([])
    const store = await createRedisUsageStore({ url: server.url, commandTimeoutMs: 200, ...quiet })
    // The client's first charge of the day also writes the usage-scan index; then only the charge is sent.
    await store.charge({ clientId: 'a', windows: [MINUTE], cost: 1, at: T0 })
    server.child.kill('SIGSTOP')
    const started = Date.now()
    try {
      await expect(
        store.charge({ clientId: 'a', windows: [MINUTE], cost: 1, at: T0 }),
      ).rejects.toBeInstanceOf(StoreUnavailableError)
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      server.child.kill('SIGCONT')
    }
    // The timed-out charge reached the server and ran when it resumed; its late answer was dropped.
    expect(await store.charge({ clientId: 'a', windows: [MINUTE], cost: 1, at: T0 })).toEqual({
      allowed: true,
      used: [3],
      replayed: false,
    })
    await store.close()
  })
})

describe('keys and their lifetime', () => {
  const keyPrefix = freshPrefix('life')
  let store: RedisUsageStore
  let admin: Awaited<ReturnType<typeof standaloneAdmin>>
  beforeAll(async () => {
    store = await createRedisUsageStore({ url: redisUrl(), keyPrefix, ...quiet })
    admin = await standaloneAdmin()
  })
  afterAll(async () => {
    await store.close()
    await admin.close()
    await deleteKeysWithPrefix(keyPrefix)
  })

  async function chargeEverything(clientId: string): Promise<void> {
    const idempotency = { key: 'k', expiresAt: T0 + 3_600_000 }
    await store.charge({ clientId, windows: [MINUTE, DAY], cost: 3, at: T0, idempotency })
    await store.refund({
      clientId,
      windows: [MINUTE, DAY],
      credits: 1,
      at: T0,
      refundKey: 'r',
      refundKeyExpiresAt: T0 + 86_400_000,
      now: T0,
    })
  }

  it('expires a window counter after its end plus a margin, counted from the charge', async () => {
    await store.charge({ clientId: 'ttl', windows: [MINUTE, DAY], cost: 1, at: T0 + 30_000 })
    const minuteTtl = await admin.pTTL(`${keyPrefix}{ttl}:w:minute:${MINUTE.start}`)
    const dayTtl = await admin.pTTL(`${keyPrefix}{ttl}:w:day:${DAY.start}`)
    expect(minuteTtl).toBeGreaterThan(80_000) // 30 s to the end + a minute's margin
    expect(minuteTtl).toBeLessThanOrEqual(90_000)
    expect(dayTtl).toBeGreaterThan(129_000_000) // 12 h - 30 s to the end + a day
    expect(dayTtl).toBeLessThanOrEqual(43_170_000 + 86_400_000)
    expect(await admin.pTTL(`${keyPrefix}{ttl}:l`)).toBe(-1) // the ledger stays until purged
  })

  it('leaves no key behind when a client is deleted', async () => {
    await chargeEverything('gone')
    expect((await keysWithPrefix(`${keyPrefix}{gone}`)).length).toBeGreaterThanOrEqual(8)
    await store.deleteUsage({ clientId: 'gone' })
    expect(await keysWithPrefix(`${keyPrefix}{gone}`)).toEqual([])
    expect(await admin.sIsMember(clientKeys(keyPrefix, 'gone').slotClients, 'gone')).toBe(0)
  })

  it('leaves no key behind when everything of a client is past retention', async () => {
    await chargeEverything('old')
    expect(await admin.sIsMember(clientKeys(keyPrefix, 'old').slotClients, 'old')).toBe(1)
    await store.purge({ before: T0 + 2 * 86_400_000, now: T0 + 2 * 86_400_000 })
    expect(await keysWithPrefix(`${keyPrefix}{old}`)).toEqual([])
    expect(await admin.sIsMember(clientKeys(keyPrefix, 'old').slotClients, 'old')).toBe(0)
  })
})
