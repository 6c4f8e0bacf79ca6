import {
  isClusterClient,
  type RedisClusterClient,
  type RedisCommandOptions,
  type RedisStandaloneClient,
  type RedisStoreClient,
} from './redis-clients.js'
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
  private readonly cluster: RedisClusterClient | undefined

  constructor(
    readonly client: RedisStoreClient,
    private readonly commandTimeoutMs: number,
  ) {
    this.cluster = isClusterClient(client) ? client : undefined
  }

  /**
   * Sends `args`, routed (on a Cluster) to the master of `key`'s slot; rejects when no answer came
   * within the command timeout. node-redis's own timeout is switched off for these commands: it
   * would cost an `AbortSignal` per command and stop counting once the command is written.
   */
  run(key: string, args: string[]): Promise<unknown> {
    const { cluster } = this
    const reply =
      cluster === undefined
        ? (this.client as RedisStandaloneClient).sendCommand(args, NO_CLIENT_TIMEOUT)
        : cluster.sendCommand(key, false, args, NO_CLIENT_TIMEOUT)
    return withDeadline(reply, this.commandTimeoutMs, args[0] as string)
  }

  /**
   * Runs a script command built by {@link scriptCommand} (`EVALSHA sha numkeys keys... args...`,
   * routed by its first key); on `NOSCRIPT` sends the same command once more as `EVAL source ...`.
   */
  async eval(script: RedisScript, command: string[]): Promise<unknown> {
    const first = command[3] as string
    try {
      return await this.run(first, command)
    } catch (error) {
      if (!isNoScript(error)) throw error
      const again = command.slice()
      again[0] = 'EVAL'
      again[1] = script.source
      return this.run(first, again)
    }
  }

  /** Every node whose settings matter: the server, or each Cluster master. */
  async nodes(): Promise<RedisNode[]> {
    const { client, commandTimeoutMs: ms } = this
    const on = (node: RedisStandaloneClient) => (args: string[]) =>
      withDeadline(node.sendCommand(args, NO_CLIENT_TIMEOUT), ms, args[0] as string)
    if (!isClusterClient(client)) return [{ name: 'server', run: on(client) }]
    return Promise.all(
      client.masters.map(async (master) => ({
        name: `${master.host}:${master.port}`,
        run: on(await withDeadline(client.nodeClient(master), ms, 'a node connection')),
      })),
    )
  }
}

const NO_CLIENT_TIMEOUT: RedisCommandOptions = { timeout: 0 }

/**
 * Starts the command that runs `script` over `keys` (all in one slot, at least one): `EVALSHA sha
 * numkeys keys...`; the caller appends the arguments.
 */
export function scriptCommand(script: RedisScript, keys: readonly string[]): string[] {
  const command = ['EVALSHA', script.sha, String(keys.length)]
  for (const key of keys) command.push(key)
  return command
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}
