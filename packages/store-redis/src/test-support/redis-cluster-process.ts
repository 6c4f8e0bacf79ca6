import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js'

const run = promisify(execFile)

/** A local Redis Cluster of masters only, started by this test run. */
export interface RedisClusterProcess {
  /** `redis://127.0.0.1:<port>` of every master. */
  readonly nodes: readonly string[]
  readonly servers: readonly RedisServerProcess[]
  /** Stops every server and removes their directories. */
  stop(): Promise<void>
}

/** The path of `redis-cli`: `REDIS_CLI_BIN`, else whatever `PATH` finds. */
export const redisCliBin = (): string => process.env.REDIS_CLI_BIN ?? 'redis-cli'

/** Runs `redis-cli` against `port` and returns its output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(redisCliBin(), ['-h', '127.0.0.1', '-p', String(port), ...args])
  return stdout
}

async function waitUntilClusterOk(servers: readonly RedisServerProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const infos = await Promise.all(servers.map((s) => redisCli(s.port, 'cluster', 'info')))
    if (infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384')))
      return
    if (Date.now() > deadline)
      throw new Error(`the cluster is not ok after ${timeoutMs} ms:\n${infos.join('\n')}`)
    await sleep(50)
  }
}

/**
 * Starts `masters` `redis-server`s on free loopback ports in temp directories (cluster mode, nothing
 * on disk), joins them with `redis-cli --cluster create` (no replicas) and waits until every node
 * reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterProcess> {
  const servers: RedisServerProcess[] = []
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')))
  }
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      )
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`)
    await run(redisCliBin(), [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    await waitUntilClusterOk(servers, 20_000)
  } catch (error) {
    await stop()
    throw error
  }
  return { nodes: servers.map((s) => s.url), servers, stop }
}
