import { InvalidArgumentError } from '@x/api-billing-core'
import type { SqlUsageStoreOptions } from './sql-usage-store.js'

/** Options of {@link createPostgresUsageStore} and {@link createMysqlUsageStore}. */
export interface ServerUsageStoreOptions extends Pick<SqlUsageStoreOptions, 'tablePrefix' | 'batching'> {
  /** Most connections the store's pool opens. Default 10. */
  readonly poolSize?: number
  /**
   * Told about a connection the server dropped while idle or in use (restart, failover, an admin
   * killing it). The query in flight fails with `StoreUnavailableError` and the pool reconnects; this
   * only reports it. Default: `console.warn`.
   */
  readonly onConnectionError?: (error: Error) => void
}

/** The pool size and connection-error reporter of `options`, with their defaults; checks the size. */
export function serverPoolSettings(options: ServerUsageStoreOptions): {
  size: number
  onError: (error: Error) => void
} {
  const size = options.poolSize ?? 10
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidArgumentError(
      'options.poolSize',
      `expected a whole number of connections ≥ 1, got ${size}`,
    )
  }
  return {
    size,
    onError:
      options.onConnectionError ?? ((error) => console.warn('[@x/api-billing-store-sql]', error.message)),
  }
}
