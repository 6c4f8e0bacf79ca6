import { InvalidArgumentError } from '@x/api-billing-core'
import type { RedisStoreClient } from './redis-clients.js'

/** Options every way of making a {@link RedisUsageStore} takes. */
export interface RedisUsageStoreCommonOptions {
  /**
   * Prefix of every key the store writes, e.g. `'billing:'`. Default `'api-billing:'`. It may not
   * contain `{` or `}`: the client's hash tag follows it.
   */
  readonly keyPrefix?: string
  /**
   * Receives warnings: a server that keeps nothing on disk (checked by `init()`), a lost connection
   * (once per outage). Default `console.warn`.
   */
  readonly onWarning?: (message: string) => void
  /**
   * Milliseconds after which a call whose command got no answer rejects with `StoreUnavailableError`:
   * a server that hangs, or a given client that queues commands while disconnected. The command may
   * still run later. Default 5000.
   */
  readonly commandTimeoutMs?: number
}

/** Options of `new RedisUsageStore(...)`: a client or cluster the application made and owns. */
export interface RedisUsageStoreOptions extends RedisUsageStoreCommonOptions {
  /** A connected `createClient()` or `createCluster()` from `redis`; `close()` leaves it open. */
  readonly client: RedisStoreClient
}

/** Options of `createRedisUsageStore` for one server (or a proxy in front of several). */
export interface RedisUsageStoreUrlOptions extends RedisUsageStoreCommonOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://...` (TLS). */
  readonly url: string
  readonly clusterNodes?: undefined
  /** Milliseconds to wait for a connection. Default 2000. */
  readonly connectTimeoutMs?: number
}

/** Options of `createRedisUsageStore` for a Redis Cluster. */
export interface RedisUsageStoreClusterOptions extends RedisUsageStoreCommonOptions {
  /**
   * Some nodes of the cluster, as `redis://` or `rediss://` URLs, to discover it from. Credentials and
   * TLS of the first apply to every node.
   */
  readonly clusterNodes: readonly string[]
  readonly url?: undefined
  /** Milliseconds to wait for a connection. Default 2000. */
  readonly connectTimeoutMs?: number
}

/** Options of `createRedisUsageStore`: `url` for one server, or `clusterNodes` for a Cluster. */
export type CreateRedisUsageStoreOptions = RedisUsageStoreUrlOptions | RedisUsageStoreClusterOptions

/** The common options with their defaults applied. */
export interface ResolvedCommonOptions {
  readonly keyPrefix: string
  readonly onWarning: (message: string) => void
  readonly commandTimeoutMs: number
}

/** Default key prefix. */
export const DEFAULT_KEY_PREFIX = 'api-billing:'

/** Checks the common options and applies defaults; throws `InvalidArgumentError` on bad ones. */
export function resolveCommonOptions(options: RedisUsageStoreCommonOptions): ResolvedCommonOptions {
  const { keyPrefix = DEFAULT_KEY_PREFIX, onWarning = console.warn, commandTimeoutMs = 5000 } = options
  if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix) || keyPrefix.length > 512) {
    throw new InvalidArgumentError(
      'keyPrefix',
      'expected a string of at most 512 characters without "{" or "}" (the client hash tag follows it)',
    )
  }
  if (typeof onWarning !== 'function') throw new InvalidArgumentError('onWarning', 'expected a function')
  assertPositiveMs(commandTimeoutMs, 'commandTimeoutMs')
  return { keyPrefix, onWarning, commandTimeoutMs }
}

/** Throws unless `value` is a positive, finite number of milliseconds. */
export function assertPositiveMs(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(
      argument,
      `expected a positive number of milliseconds, got ${String(value)}`,
    )
  }
}

/** Throws unless `value` is a `redis://` or `rediss://` URL. */
export function assertRedisUrl(value: unknown, argument: string): asserts value is string {
  let protocol: string | undefined
  try {
    protocol = typeof value === 'string' ? new URL(value).protocol : undefined
  } catch {
    protocol = undefined
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new InvalidArgumentError(argument, 'expected a redis:// or rediss:// URL')
  }
}
