import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely, type KyselyConfig, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely'
import { createPool } from 'mysql2'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'
import { createSqliteUsageStore } from '../create-sqlite-usage-store.js'
import { SqlUsageStore, type SqlUsageStoreOptions } from '../sql-usage-store.js'

/** The engines the tests run against. */
export type TestEngine = 'sqlite' | 'postgres' | 'mysql'

/** Where one test's data lives; plain JSON so it can be handed to a child process. */
export interface TestTarget {
  readonly engine: TestEngine
  /** SQLite file (or `:memory:`). */
  readonly sqlitePath?: string
  /** Postgres schema made for this test (used through `search_path`). */
  readonly postgresSchema?: string
  /** MySQL/MariaDB database made for this test. */
  readonly mysqlDatabase?: string
}

/** `POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`. */
export const postgresUrl = (): string => process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
/** `MYSQL_URL`, default `mysql://root@127.0.0.1:3306/test`. */
export const mysqlUrl = (): string => process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

const unique = () => `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`

function unreachable(what: string, url: string, variable: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error)
  return new Error(`${what} is not reachable at ${url} (${reason}). Start it or point ${variable} at one.`, {
    cause: error,
  })
}

/** Runs `statement` on a short-lived admin connection to Postgres; fails loudly naming the URL. */
export async function postgresAdmin(statement: string, parameters: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgresUrl(), connectionTimeoutMillis: 5000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    throw unreachable('PostgreSQL', postgresUrl(), 'POSTGRES_URL', error)
  }
  try {
    return await client.query(statement, parameters)
  } finally {
    await client.end()
  }
}

function mysqlConfig(database?: string) {
  const url = new URL(mysqlUrl())
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: database ?? (url.pathname.slice(1) || 'test'),
  }
}

/** Runs `statement` on a short-lived admin connection to MySQL/MariaDB; fails loudly naming the URL. */
export async function mysqlAdmin(statement: string): Promise<void> {
  await mysqlAdminRows(statement)
}

/** Runs a query on a short-lived admin connection to MySQL/MariaDB and returns its rows. */
export async function mysqlAdminRows(statement: string): Promise<Record<string, unknown>[]> {
  let connection: Awaited<ReturnType<typeof createConnection>>
  try {
    connection = await createConnection({ ...mysqlConfig(), connectTimeout: 5000 })
  } catch (error) {
    throw unreachable('MySQL/MariaDB', mysqlUrl(), 'MYSQL_URL', error)
  }
  try {
    const [rows] = await connection.query(statement)
    return rows as Record<string, unknown>[]
  } finally {
    await connection.end()
  }
}

/** Makes an empty place for one test's data (temp dir, schema or database) and says how to remove it. */
export async function createTestTarget(
  engine: TestEngine,
  sqlitePath?: string,
): Promise<{ target: TestTarget; cleanup: () => Promise<void> }> {
  if (engine === 'sqlite') {
    if (sqlitePath === ':memory:') return { target: { engine, sqlitePath }, cleanup: async () => undefined }
    const dir = mkdtempSync(join(tmpdir(), 'api-billing-sql-'))
    return {
      target: { engine, sqlitePath: join(dir, 'usage.db') },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const name = unique()
  if (engine === 'postgres') {
    await postgresAdmin(`create schema "${name}"`)
    return {
      target: { engine, postgresSchema: name },
      cleanup: async () => {
        await postgresAdmin(`drop schema "${name}" cascade`)
      },
    }
  }
  await mysqlAdmin(`create database \`${name}\``)
  return {
    target: { engine, mysqlDatabase: name },
    cleanup: () => mysqlAdmin(`drop database \`${name}\``),
  }
}

/** The classes of one copy of Kysely that {@link openKysely} builds with. */
export type KyselyBuild = Pick<
  typeof import('kysely'),
  'Kysely' | 'MysqlDialect' | 'PostgresDialect' | 'SqliteDialect'
>

/** The copy of Kysely this module imports (its ESM build, when run from `dist/`). */
const importedKysely: KyselyBuild = { Kysely, MysqlDialect, PostgresDialect, SqliteDialect }

/**
 * A Kysely instance on the target (for SQLite: through Kysely's own driver), made with the classes of
 * `build` — by default the Kysely this module imports; a test passes another copy (e.g. the CommonJS
 * build) to check that the store does not depend on class identity — and with Kysely's `log`, if given.
 */
export async function openKysely(
  target: TestTarget,
  build: KyselyBuild = importedKysely,
  log?: KyselyConfig['log'],
): Promise<Kysely<unknown>> {
  if (target.engine === 'postgres') {
    const pool = new pg.Pool({
      connectionString: postgresUrl(),
      options: `-c search_path=${target.postgresSchema}`,
      max: 10,
      // pg counts the wait for a free pool client in this timeout too; hundreds of charges queue on ten.
      connectionTimeoutMillis: 30_000,
      // Lets a test find (and terminate) exactly this store's connections.
      application_name: target.postgresSchema,
    })
    // pg emits 'error' when the server ends a connection: on the pool for an idle client, on the client
    // itself while it is checked out. Unhandled, either crashes the process; handled, the failed query
    // rejects (the store maps it to StoreUnavailableError) and the pool replaces the client.
    pool.on('error', () => undefined)
    pool.on('connect', (client) => client.on('error', () => undefined))
    return new build.Kysely<unknown>({ dialect: new build.PostgresDialect({ pool }), ...(log && { log }) })
  }
  if (target.engine === 'mysql') {
    const pool = createPool({
      ...mysqlConfig(target.mysqlDatabase),
      connectionLimit: 10,
      connectTimeout: 5000,
    })
    return new build.Kysely<unknown>({ dialect: new build.MysqlDialect({ pool }), ...(log && { log }) })
  }
  const { default: Database } = await import('better-sqlite3')
  const database = new Database(target.sqlitePath ?? ':memory:')
  database.pragma('journal_mode = WAL')
  database.pragma('busy_timeout = 5000')
  return new build.Kysely<unknown>({ dialect: new build.SqliteDialect({ database }), ...(log && { log }) })
}

/** Options of {@link openTestStore}: the store options a test varies. */
export type TestStoreOptions = Pick<SqlUsageStoreOptions, 'tablePrefix' | 'batching'>

/**
 * An initialised store on the target: SQLite through `createSqliteUsageStore` (prepared statements on
 * the better-sqlite3 handle), Postgres and MySQL through a Kysely pool.
 */
export async function openTestStore(
  target: TestTarget,
  options: TestStoreOptions = {},
): Promise<SqlUsageStore> {
  if (target.engine === 'sqlite') return createSqliteUsageStore(target.sqlitePath ?? ':memory:', options)
  const store = new SqlUsageStore({ db: await openKysely(target), ...options })
  await store.init()
  return store
}
