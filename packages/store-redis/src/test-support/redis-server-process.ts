import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** A `redis-server` this test run started. */
export interface RedisServerProcess {
  readonly port: number
  readonly url: string
  /** Its working directory (AOF, cluster config), removed by `stop()` unless `keepDir`. */
  readonly dir: string
  readonly child: ChildProcess
  /** Stops it (`SIGTERM` by default) and waits for the exit; removes `dir` unless `keepDir`. */
  stop(signal?: NodeJS.Signals, keepDir?: boolean): Promise<void>
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Port to listen on; default a free one. */
  readonly port?: number
  /** Working directory; default a new temp directory. */
  readonly dir?: string
  /** Extra `redis-server` arguments, e.g. `['--appendonly', 'yes']`. */
  readonly args?: readonly string[]
}

/** The path of `redis-server`: `REDIS_SERVER_BIN`, else whatever `PATH` finds. */
export const redisServerBin = (): string => process.env.REDIS_SERVER_BIN ?? 'redis-server'

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no free port')
  return address.port
}

/** Resolves once something accepts TCP connections on `port`; throws after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port })
      socket.once('connect', () => resolve(true))
      socket.once('error', () => resolve(false))
    }).catch(() => false)
    if (open) return
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`)
    await sleep(20)
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/**
 * Starts `redis-server` on 127.0.0.1 (no snapshots, no AOF unless `args` say otherwise) and waits until
 * it accepts connections. Fails loudly when `redis-server` is missing or exits early.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerProcess> {
  const port = options.port ?? (await freePort())
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'api-billing-redis-'))
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ]
  const child = spawn(redisServerBin(), [...args, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000)
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000)
  })
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot run ${redisServerBin()} (set REDIS_SERVER_BIN or install redis-server): ${error.message}`,
        ),
      ),
    )
    child.once('exit', (code, signal) =>
      reject(new Error(`redis-server on port ${port} exited (${code ?? signal}) while starting:\n${output}`)),
    )
  })
  failed.catch(() => undefined)
  await Promise.race([waitForPort(port), failed])
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    child,
    async stop(signal = 'SIGTERM', keepDir = false) {
      const done = exited(child)
      child.kill(signal)
      await done
      if (!keepDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
