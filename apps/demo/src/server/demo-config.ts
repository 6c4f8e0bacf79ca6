import { dirname, join, resolve } from 'node:path'
import { InvalidArgumentError } from '@x/api-billing-core'

/** The demo server's settings, read from the environment by {@link demoConfigFrom}. */
export interface DemoConfig {
  /** `PORT`, default 3000; `0` picks a free port (the server prints the one it got). */
  readonly port: number
  /** `HOST`, default `127.0.0.1`. */
  readonly host: string
  /** `ADMIN_TOKEN`, default none (the admin routes answer 403). */
  readonly adminToken: string | undefined
  /** `PLANS_FILE`, default `plans.json` of the app: the plan catalog and the clients that seed a new clients file. */
  readonly plansFile: string
  /**
   * `DEMO_CLIENTS_FILE`, default `clients.json` beside the SQLite file (or in the app's `data` folder when
   * the usage is in PostgreSQL, MySQL or MongoDB): API key → plan, shared by instances given the same path.
   */
  readonly clientsFile: string
  /** `DEMO_CLIENT_TTL_MS`, default 60,000: how long an instance uses a client's plan before reading it again. */
  readonly clientTtlMs: number
  /** `DEMO_CLOCK_START`, test only, default none (the wall clock). */
  readonly clockStart: string | undefined
}

/** The default of {@link DemoConfig.clientTtlMs}: one minute, core's default. */
export const DEFAULT_CLIENT_TTL_MS = 60_000

/**
 * Reads the demo's settings from `env`; `appDir` is the app's folder (for `plans.json` and `data/`).
 * @throws InvalidArgumentError for a `PORT` that is not 0–65535 or a `DEMO_CLIENT_TTL_MS` that is not a
 * positive number of milliseconds (or `Infinity`).
 */
export function demoConfigFrom(env: NodeJS.ProcessEnv, appDir: string): DemoConfig {
  return {
    port: portFrom(env.PORT),
    host: env.HOST || '127.0.0.1',
    adminToken: env.ADMIN_TOKEN || undefined,
    plansFile: resolve(env.PLANS_FILE || join(appDir, 'plans.json')),
    clientsFile: resolve(env.DEMO_CLIENTS_FILE || join(dataDirOf(env, appDir), 'clients.json')),
    clientTtlMs: ttlFrom(env.DEMO_CLIENT_TTL_MS),
    clockStart: env.DEMO_CLOCK_START || undefined,
  }
}

function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 3000
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError(
      'PORT',
      `expected a port number from 0 (any free port) to 65535, got "${value}"`,
    )
  }
  return port
}

function ttlFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_CLIENT_TTL_MS
  const ttlMs = Number(value)
  if (value.trim() === '' || Number.isNaN(ttlMs) || ttlMs <= 0) {
    throw new InvalidArgumentError(
      'DEMO_CLIENT_TTL_MS',
      `expected a positive number of milliseconds (or Infinity), got "${value}"`,
    )
  }
  return ttlMs
}

/** The folder of the SQLite file `createStore` opens; the app's `data` folder for a server database. */
function dataDirOf(env: NodeJS.ProcessEnv, appDir: string): string {
  const url = env.DATABASE_URL
  const server = env.MONGODB_URL || /^(postgres|postgresql|mysql):\/\//.test(url ?? '')
  return server || !url ? join(appDir, 'data') : dirname(resolve(url))
}
