import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** The FerretDB release the tests run against. */
export const FERRETDB_VERSION = 'v1.24.2'
const MODULE = 'github.com/FerretDB/FerretDB'

/**
 * Where a built binary is cached: `<workspace root>/.cache/bin`, the workspace root being the nearest
 * folder above the working directory with a `pnpm-workspace.yaml` (else the working directory).
 */
function cacheDir(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, '.cache', 'bin')
    if (dirname(dir) === dir) return join(process.cwd(), '.cache', 'bin')
  }
}

/** A FerretDB process on a SQLite directory. */
export interface FerretdbServer {
  readonly url: string
  readonly port: number
  readonly dataDir: string
  /** Stops the process; `signal` SIGKILL simulates a crash. Resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>
}

function works(bin: string): boolean {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: 'pipe' }).includes(FERRETDB_VERSION)
  } catch {
    return false
  }
}

/**
 * Finds a working FerretDB binary: `FERRETDB_BIN`, then `$(go env GOPATH)/bin/ferretdb`, then
 * `<repo>/.cache/bin/ferretdb`; else builds it there. A plain `go install ...@v1.24.2` binary panics at
 * start ("Invalid build/version/version.txt"), so the build copies the module source, writes that file
 * and runs `go build`. Throws with the reason when nothing works.
 */
export function resolveFerretdbBinary(): string {
  const fromEnv = process.env.FERRETDB_BIN
  if (fromEnv) {
    if (!works(fromEnv))
      throw new Error(`FERRETDB_BIN=${fromEnv} does not run as FerretDB ${FERRETDB_VERSION}`)
    return fromEnv
  }
  const cached = join(cacheDir(), 'ferretdb')
  let gopath: string | undefined
  try {
    gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim()
  } catch {
    gopath = undefined
  }
  for (const candidate of [gopath ? join(gopath, 'bin', 'ferretdb') : undefined, cached]) {
    if (candidate !== undefined && existsSync(candidate) && works(candidate)) return candidate
  }
  if (gopath === undefined) {
    throw new Error('No FerretDB binary and no Go toolchain to build one: set MONGODB_URL or FERRETDB_BIN')
  }
  process.stderr.write(
    `Building FerretDB ${FERRETDB_VERSION} into ${cached} (a few minutes the first time)\n`,
  )
  const info = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], { encoding: 'utf8' }),
  ) as { Dir?: string; Error?: string }
  if (!info.Dir) throw new Error(`go mod download ${MODULE}@${FERRETDB_VERSION} failed: ${info.Error}`)
  const src = mkdtempSync(join(tmpdir(), 'ferretdb-src-'))
  try {
    cpSync(info.Dir, src, { recursive: true })
    execFileSync('chmod', ['-R', 'u+w', src])
    writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`)
    mkdirSync(dirname(cached), { recursive: true })
    execFileSync('go', ['build', '-o', cached, './cmd/ferretdb'], {
      cwd: src,
      stdio: 'inherit',
      env: { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false' },
    })
  } finally {
    rmSync(src, { recursive: true, force: true })
  }
  if (!works(cached)) throw new Error(`Built ${cached} but it does not run as FerretDB ${FERRETDB_VERSION}`)
  return cached
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()))
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

/**
 * Starts FerretDB (SQLite backend, no auth, telemetry and debug listener off) on `port` with
 * `dataDir` (both fresh unless given, so a restart reuses them) and waits until it accepts connections.
 */
export async function startFerretdb(
  bin: string,
  options: { port?: number; dataDir?: string } = {},
): Promise<FerretdbServer> {
  const port = options.port ?? (await freePort())
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'api-billing-ferretdb-'))
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
  const deadline = Date.now() + 20_000
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(
        `FerretDB did not start on port ${port} (${bin} ${args.join(' ')}): ${stderr || 'timeout'}`,
      )
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    port,
    dataDir,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}
