import { randomBytes } from 'node:crypto'
import { createClient, createCluster } from 'redis'

/** The standalone server of the tests: `REDIS_URL`, default `redis://127.0.0.1:6379`. */
export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** The nodes of the Cluster the jest global setup started; throws loudly when there is none. */
export function clusterNodes(): string[] {
  const nodes = process.env.REDIS_CLUSTER_NODES
  if (!nodes) throw new Error('REDIS_CLUSTER_NODES is not set: the jest global setup did not start a cluster')
  return nodes.split(',')
}

/** A key prefix no other test uses. */
export function freshPrefix(label = 't'): string {
  return `abt:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`
}

/** A connected admin client on the standalone test server; fails loudly naming the URL. */
export async function standaloneAdmin() {
  const client = createClient({
    url: redisUrl(),
    socket: { reconnectStrategy: false, connectTimeout: 5_000 },
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    throw new Error(`Redis is not reachable at ${redisUrl()}: start it or point REDIS_URL at one`, {
      cause: error,
    })
  }
  return client
}

/** A connected admin client on the test cluster. */
export async function clusterAdmin() {
  const cluster = createCluster({ rootNodes: clusterNodes().map((url) => ({ url })) })
  cluster.on('error', () => undefined)
  await cluster.connect()
  return cluster
}

type Admin = Awaited<ReturnType<typeof standaloneAdmin>>

async function keysOn(client: Admin, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) keys.push(...batch)
  return keys
}

/** Every key under `prefix` on the standalone server, or on every master of the cluster. */
export async function keysWithPrefix(prefix: string, cluster = false): Promise<string[]> {
  if (!cluster) {
    const admin = await standaloneAdmin()
    try {
      return await keysOn(admin, prefix)
    } finally {
      await admin.close()
    }
  }
  const admin = await clusterAdmin()
  try {
    const perNode = await Promise.all(
      admin.masters.map(async (m) => keysOn(await admin.nodeClient(m), prefix)),
    )
    return perNode.flat()
  } finally {
    await admin.close()
  }
}

/** Deletes every key under `prefix` (standalone server, or every master of the cluster). */
export async function deleteKeysWithPrefix(prefix: string, cluster = false): Promise<void> {
  const keys = await keysWithPrefix(prefix, cluster)
  if (keys.length === 0) return
  if (!cluster) {
    const admin = await standaloneAdmin()
    try {
      for (let i = 0; i < keys.length; i += 500) await admin.unlink(keys.slice(i, i + 500))
    } finally {
      await admin.close()
    }
    return
  }
  const admin = await clusterAdmin()
  try {
    await Promise.all(keys.map((key) => admin.unlink(key)))
  } finally {
    await admin.close()
  }
}
