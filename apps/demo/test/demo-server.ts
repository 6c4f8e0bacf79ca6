import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const appDir = join(__dirname, '..')

/** A demo server process started for a test, on a fresh SQLite file unless told otherwise. */
export interface DemoServer {
  readonly url: string
  readonly dataDir: string
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
 * Starts `node dist/server/main.js` (build the demo first) and resolves once it listens. The data
 * folder is a new temp dir unless `dataDir` is given (to restart on the same data).
 */
export async function startDemoServer(env: NodeJS.ProcessEnv = {}, dataDir?: string): Promise<DemoServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'api-billing-demo-'))
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, [join(appDir, 'dist/server/main.js')], {
    env: {
      ...process.env,
      MONGODB_URL: '',
      DATABASE_URL: join(dir, 'demo.sqlite'),
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
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo server did not start:\n${output}`)), 30_000)
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

/**
 * The demo's plans have minute windows and its server runs on the real clock, so a test that must stay
 * inside one minute window waits, when fewer than `needMs` are left of the current minute, for the next
 * one to begin.
 */
export async function withinOneMinuteWindow(needMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < needMs) await new Promise((done) => setTimeout(done, left + 50))
}
