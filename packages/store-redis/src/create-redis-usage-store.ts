import { InvalidArgumentError, toStoreUnavailableError } from '@x/api-billing-core'
import { createClient, createCluster } from 'redis'
import { ownedClients } from './owned-clients.js'
import type { RedisStoreClient } from './redis-clients.js'
import { RedisUsageStore } from './redis-usage-store.js'
import {
  assertPositiveMs,
  assertRedisUrl,
  type CreateRedisUsageStoreOptions,
  resolveCommonOptions,
} from './redis-usage-store-options.js'

/** Reconnect delay after the `retries`-th failed attempt: 50 ms doubling up to 1 s, plus jitter. */
function backoffMs(retries: number): number {
  return Math.min(50 * 2 ** retries, 1_000) + Math.floor(Math.random() * 100)
}

/** TCP/TLS settings shared by every connection the store opens. */
function socketOptions(connectTimeout: number, connected: () => boolean) {
  return {
    connectTimeout,
    // Before the first connection, give up at once so that `createRedisUsageStore` rejects; afterwards
    // keep reconnecting, so the store recovers on its own when the server is back.
    reconnectStrategy: (retries: number) => (connected() ? backoffMs(retries) : false),
  }
}

/** A client the store will own, and how to connect it. */
interface OwnedClient {
  readonly client: RedisStoreClient
  connect(): Promise<unknown>
}

function makeClient(options: CreateRedisUsageStoreOptions, connected: () => boolean): OwnedClient {
  const connectTimeout = options.connectTimeoutMs ?? 2_000
  assertPositiveMs(connectTimeout, 'connectTimeoutMs')
  if (options.url !== undefined) {
    if (options.clusterNodes !== undefined) {
      throw new InvalidArgumentError('options', 'give either url or clusterNodes, not both')
    }
    assertRedisUrl(options.url, 'url')
    const client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: socketOptions(connectTimeout, connected),
    })
    return { client, connect: () => client.connect() }
  }
  const nodes = options.clusterNodes
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new InvalidArgumentError('options', 'expected url (one server) or clusterNodes (a non-empty array)')
  }
  for (const [i, node] of nodes.entries()) assertRedisUrl(node, `clusterNodes[${i}]`)
  const first = new URL(nodes[0] as string)
  const cluster = createCluster({
    rootNodes: nodes.map((url) => ({ url })),
    defaults: {
      username: first.username === '' ? undefined : decodeURIComponent(first.username),
      password: first.password === '' ? undefined : decodeURIComponent(first.password),
      disableOfflineQueue: true,
      socket: { ...socketOptions(connectTimeout, () => true), tls: first.protocol === 'rediss:' },
    },
  })
  return { client: cluster, connect: () => cluster.connect() }
}

/**
 * Opens a {@link RedisUsageStore} on its own node-redis client: `url` for one server, `clusterNodes`
 * for a Redis Cluster. Connects, loads the scripts and checks durability (`init()`); rejects with
 * `StoreUnavailableError` when the server cannot be reached, `InvalidArgumentError` on bad options.
 * The client fails calls at once while disconnected (no offline queue) and reconnects by itself;
 * `close()` quits it.
 *
 * @example
 * const store = await createRedisUsageStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'billing:' })
 */
export async function createRedisUsageStore(options: CreateRedisUsageStoreOptions): Promise<RedisUsageStore> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'expected { url } or { clusterNodes }')
  }
  resolveCommonOptions(options)
  let connected = false
  const { client, connect } = makeClient(options, () => connected)
  ownedClients.add(client)
  const { url: _url, clusterNodes: _nodes, connectTimeoutMs: _timeout, ...common } = options
  const store = new RedisUsageStore({ ...common, client })
  try {
    await connect()
    connected = true
    await store.init()
    return store
  } catch (error) {
    await store.close().catch(() => undefined)
    throw toStoreUnavailableError(error, 'createRedisUsageStore')
  }
}
