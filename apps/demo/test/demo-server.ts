import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const appDir = join(__dirname, '..')

/**
 * The instant the tests' demo servers start their clock at (`DEMO_CLOCK_START`): 15 s into a minute, so
 * the minute window renews in 45 s, on a Tuesday well inside a day, a month and the summer-time rules.
 */
export const TEST_CLOCK_START = '2026-03-10T12:00:15.000Z'

/** How long a demo server may take to print that it listens before {@link startDemoServer} gives up. */
export const START_DEADLINE_MS = 20_000

/** A demo server process started for a test, on a fresh SQLite file unless told otherwise. */
export interface DemoServer {
  /** Where it listens: `http://127.0.0.1:<port>`. */
  readonly url: string
  /** The folder of its SQLite file; pass it to {@link startDemoServer} again to restart on the same data. */
  readonly dataDir: string
  /** Everything the process printed so far (stdout and stderr). */
  readonly output: () => string
  /** Sends SIGTERM and resolves with the exit code once the process has exited. */
  readonly stop: () => Promise<number | null>
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  await new Promise((done) => server.close(done))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/**
 * Starts `node dist/server/main.js` (build the demo first) and resolves once it prints that it listens,
 * or rejects when it exits first or stays silent for {@link START_DEADLINE_MS} (and then kills it). The
 * data folder is a new temp dir (removed again when the start fails) unless `dataDir` is given (to
 * restart on the same data). `env` adds to
 * and overrides the test process's environment; e.g. `DEMO_CLOCK_START` and `ADMIN_TOKEN`.
 */
export async function startDemoServer(env: NodeJS.ProcessEnv = {}, dataDir?: string): Promise<DemoServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'api-billing-demo-'))
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, [join(appDir, 'dist/server/main.js')], {
    env: {
      ...process.env,
      MONGODB_URL: '',
      DATABASE_URL: join(dir, 'demo.sqlite'),
      DEMO_CLOCK_START: '',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`demo server did not start within ${START_DEADLINE_MS} ms:\n${output}`))
    }, START_DEADLINE_MS)
    const check = () => {
      if (output.includes('API Billing demo on')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', check)
    exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`demo server exited during start-up:\n${output}`))
    })
  })
  try {
    await listening
  } catch (error) {
    if (dataDir === undefined) removeDataDir(dir)
    throw error
  }
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir: dir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

/** Removes a data folder made by {@link startDemoServer}. */
export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
