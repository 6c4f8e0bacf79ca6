import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The FerretDB release the Mongo store is tested against (see packages/store-mongo). */
const FERRETDB_VERSION = 'v1.24.2'
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')

/** A MongoDB-wire server for the bench: a FerretDB process this bench started, or `MONGODB_URL`. */
export interface MongoServer {
  readonly url: string
  /** Stops the process (if the bench started it) and removes its data. */
  stop(): Promise<void>
}

function runsAsFerretdb(bin: string): boolean {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: 'pipe' }).includes(FERRETDB_VERSION)
  } catch {
    return false
  }
}

/**
 * Same search as the Mongo store's test setup: `FERRETDB_BIN`, `$(go env GOPATH)/bin/ferretdb`,
 * `<repo>/.cache/bin/ferretdb`. Unlike the tests it never builds one (minutes of `go build`): run
 * `pnpm --filter @x/api-billing-store-mongo test` once to build it.
 */
function findFerretdb(): string {
  const candidates = [process.env.FERRETDB_BIN, join(REPO_ROOT, '.cache', 'bin', 'ferretdb')]
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', stdio: 'pipe' }).trim()
    candidates.splice(1, 0, join(gopath, 'bin', 'ferretdb'))
  } catch {
    // no Go toolchain: only the other places
  }
  for (const bin of candidates) if (bin && existsSync(bin) && runsAsFerretdb(bin)) return bin
  throw new Error(
    `no FerretDB ${FERRETDB_VERSION} binary (FERRETDB_BIN, GOPATH/bin, .cache/bin); run the store-mongo tests once to build it`,
  )
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail()))
    })
  })
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      done(true)
    })
    socket.once('error', () => done(false))
  })
}

/** `MONGODB_URL` when set; else starts FerretDB (SQLite backend) on a free port and a temp directory. */
export async function startMongoServer(): Promise<MongoServer> {
  const fromEnv = process.env.MONGODB_URL
  if (fromEnv) return { url: fromEnv, stop: async () => undefined }
  const bin = findFerretdb()
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'api-billing-bench-ferretdb-'))
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--listen-addr=127.0.0.1:${port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    `--state-dir=${dataDir}`,
    '--log-level=error',
  ]
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  // Never leave the server behind, even when the bench is interrupted.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const deadline = Date.now() + 20_000
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
      throw new Error(`FerretDB did not start on port ${port}: ${stderr.trim() || 'timeout'}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    async stop() {
      process.off('exit', killOnExit)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
