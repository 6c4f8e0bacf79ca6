import { isClusterClient, type RedisStandaloneClient, type RedisStoreClient } from './redis-clients.js'
import type { RedisScript } from './redis-script.js'
import { withDeadline } from './with-deadline.js'

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
  constructor(
    readonly client: RedisStoreClient,
    private readonly commandTimeoutMs: number,
  ) {}

  /**
   * Sends `args`, routed (on a Cluster) to the master of `key`'s slot; rejects when no answer came
   * within the command timeout.
   */
  run(key: string, args: string[]): Promise<unknown> {
    const { client } = this
    const reply = isClusterClient(client) ? client.sendCommand(key, false, args) : client.sendCommand(args)
    return withDeadline(reply, this.commandTimeoutMs, args[0] as string)
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
    const { client, commandTimeoutMs: ms } = this
    const on = (node: RedisStandaloneClient) => (args: string[]) =>
      withDeadline(node.sendCommand(args), ms, args[0] as string)
    if (!isClusterClient(client)) return [{ name: 'server', run: on(client) }]
    return Promise.all(
      client.masters.map(async (master) => ({
        name: `${master.host}:${master.port}`,
        run: on(await withDeadline(client.nodeClient(master), ms, 'a node connection')),
      })),
    )
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}
