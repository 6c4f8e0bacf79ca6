import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
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
  /** The folder of its SQLite file and clients file; pass it to {@link startDemoServer} again for the same data. */
  readonly dataDir: string
  /** Everything the process printed so far (stdout and stderr). */
  readonly output: () => string
  /** Sends SIGTERM and resolves with the exit code once the process has exited. */
  readonly stop: () => Promise<number | null>
}

/**
 * The line a demo server prints last when it listens: `listening on http://127.0.0.1:<port>`, read only
 * once whole (up to its newline: output arrives in chunks that may end inside the port).
 */
const LISTENING = /^listening on (http:\/\/\S+)\r?\n/m

/**
 * Starts `node dist/server/main.js` (build the demo first) on `PORT=0` and resolves once it prints the
 * port it got (`listening on …`), or rejects when it exits first or stays silent for
 * {@link START_DEADLINE_MS} (and then kills it). No port is picked in advance, so none can be taken in
 * between. The data folder (the SQLite file and, by default, the clients file) is a new temp dir (removed
 * again when the start fails) unless `dataDir` is given: to restart on the same data, or to run a second
 * instance on it. `env` adds to and overrides the test process's environment; e.g. `DEMO_CLOCK_START`,
 * `ADMIN_TOKEN`, `DEMO_CLIENT_TTL_MS`.
 */
export async function startDemoServer(env: NodeJS.ProcessEnv = {}, dataDir?: string): Promise<DemoServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'api-billing-demo-'))
  const child: ChildProcess = spawn(process.execPath, [join(appDir, 'dist/server/main.js')], {
    env: {
      ...process.env,
      MONGODB_URL: '',
      DATABASE_URL: join(dir, 'demo.sqlite'),
      DEMO_CLOCK_START: '',
      DEMO_CLIENTS_FILE: '',
      DEMO_CLIENT_TTL_MS: '',
      ...env,
      PORT: '0',
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
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`demo server did not start within ${START_DEADLINE_MS} ms:\n${output}`))
    }, START_DEADLINE_MS)
    const check = () => {
      const url = LISTENING.exec(output)?.[1]
      if (url !== undefined) {
        clearTimeout(timer)
        resolve(url)
      }
    }
    child.stdout?.on('data', check)
    exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`demo server exited during start-up:\n${output}`))
    })
  })
  let url: string
  try {
    url = await listening
  } catch (error) {
    if (dataDir === undefined) removeDataDir(dir)
    throw error
  }
  return {
    url,
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
