import { isClusterClient, type RedisCommandOptions, type RedisStoreClient } from './redis-clients.js'
import type { RedisScript } from './redis-script.js'

/** The raw command of one node, for checks that must visit every master. */
export interface RedisNode {
  /** `host:port`, for messages. */
  readonly name: string
  run(args: string[]): Promise<unknown>
}

/**
 * Sends the store's commands through a standalone or Cluster client alike: every command names the
 * key whose slot routes it, and scripts go by `EVALSHA`, falling back to `EVAL` (which also caches the
 * script) when a server answers `NOSCRIPT` — after a restart, a failover or on a new shard.
 */
export class RedisConnection {
  private readonly options: RedisCommandOptions | undefined

  constructor(
    readonly client: RedisStoreClient,
    commandTimeoutMs: number | undefined,
  ) {
    this.options = commandTimeoutMs === undefined ? undefined : { timeout: commandTimeoutMs }
  }

  /** Sends `args`, routed (on a Cluster) to the master of `key`'s slot. */
  run(key: string, args: string[]): Promise<unknown> {
    const { client } = this
    return isClusterClient(client)
      ? client.sendCommand(key, false, args, this.options)
      : client.sendCommand(args, this.options)
  }

  /** Runs `script` over `keys` (all in one slot; the first routes it) with `args`. */
  async eval(script: RedisScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args]
    const first = keys[0] as string
    try {
      return await this.run(first, ['EVALSHA', script.sha, ...tail])
    } catch (error) {
      if (!isNoScript(error)) throw error
      return this.run(first, ['EVAL', script.source, ...tail])
    }
  }

  /** Every node whose settings matter: the server, or each Cluster master. */
  async nodes(): Promise<RedisNode[]> {
    const { client } = this
    if (!isClusterClient(client))
      return [{ name: 'server', run: (args) => client.sendCommand(args, this.options) }]
    return Promise.all(
      client.masters.map(async (master) => {
        const node = await client.nodeClient(master)
        return {
          name: `${master.host}:${master.port}`,
          run: (args: string[]) => node.sendCommand(args, this.options),
        }
      }),
    )
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}
