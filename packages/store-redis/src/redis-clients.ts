/** Per-command options the store passes to node-redis. */
export interface RedisCommandOptions {
  /** node-redis's own queue timeout (ms); the store passes 0 (off) and enforces its own deadline. */
  readonly timeout?: number
}

/**
 * A standalone node-redis client (`createClient()` from `redis`), as far as the store uses it. Any
 * client made by `createClient`, with any modules, scripts or RESP version, fits.
 */
export interface RedisStandaloneClient {
  /** Whether `connect()` was called and `close()`/`destroy()` not yet. */
  readonly isOpen: boolean
  /** Sends one raw command. */
  sendCommand(args: string[], options?: RedisCommandOptions): Promise<unknown>
  /** Subscribes to the client's `'error'` events. */
  on(event: 'error', listener: (error: Error) => void): unknown
  /** Unsubscribes from the client's `'error'` events. */
  off(event: 'error', listener: (error: Error) => void): unknown
  /** Waits for pending commands, then closes the connection. */
  close(): Promise<void>
  /** Closes the connection at once, rejecting pending commands. */
  destroy(): void
}

/** One master of a Redis Cluster, as node-redis lists it in `cluster.masters`. */
export interface RedisClusterNode {
  readonly host: string
  readonly port: number
}

/**
 * A node-redis Cluster client (`createCluster()` from `redis`), as far as the store uses it. Any
 * cluster made by `createCluster` fits.
 */
export interface RedisClusterClient {
  /** Whether `connect()` was called and `close()`/`destroy()` not yet. */
  readonly isOpen: boolean
  /** The current masters (one per shard). */
  readonly masters: readonly RedisClusterNode[]
  /** Sends one raw command to the master of `firstKey`'s slot. */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: RedisCommandOptions,
  ): Promise<unknown>
  /** The connection to one node. */
  nodeClient(node: RedisClusterNode): Promise<RedisStandaloneClient>
  /** Subscribes to the cluster's `'error'` events. */
  on(event: 'error', listener: (error: Error) => void): unknown
  /** Unsubscribes from the cluster's `'error'` events. */
  off(event: 'error', listener: (error: Error) => void): unknown
  /** Waits for pending commands, then closes every connection. */
  close(): Promise<void>
  /** Closes every connection at once. */
  destroy(): void
}

/** What `RedisUsageStore` talks through: a standalone client or a Cluster client. */
export type RedisStoreClient = RedisStandaloneClient | RedisClusterClient

/** `true` for a Cluster client. */
export function isClusterClient(client: RedisStoreClient): client is RedisClusterClient {
  return 'masters' in client && typeof (client as RedisClusterClient).nodeClient === 'function'
}
