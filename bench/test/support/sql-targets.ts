import { SqlUsageStore } from '@x/api-billing-store-sql'
import { Kysely, MysqlDialect, PostgresDialect } from 'kysely'
import { createPool } from 'mysql2'
import { createConnection } from 'mysql2/promise'
import pg from 'pg'
import { mysqlConfig, mysqlUrl, postgresUrl, uniqueName } from '../../src/server-urls.js'

/** The SQL servers the fault tests run against. */
export type ServerEngine = 'postgres' | 'mysql'

/** A fresh schema (Postgres) or database (MariaDB) for one test, and how to reach and remove it. */
export interface SqlTarget {
  readonly engine: ServerEngine
  /** The schema or database name; also the Postgres `application_name` of the store's connections. */
  readonly name: string
  /** Opens an initialised store on the target, through `port` when given (e.g. a proxy's). */
  openStore(port?: number): Promise<SqlUsageStore>
  /** Ends every server connection of the stores on this target; how many. */
  killConnections(): Promise<number>
  drop(): Promise<void>
}

function unreachable(what: string, url: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error)
  return new Error(`${what} is not reachable at ${url} (${reason}): the fault tests need it running`, {
    cause: error,
  })
}

async function postgres(statement: string, parameters: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgresUrl(), connectionTimeoutMillis: 5000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    throw unreachable('PostgreSQL', postgresUrl(), error)
  }
  try {
    return await client.query(statement, parameters)
  } finally {
    await client.end()
  }
}

async function mysql(statement: string): Promise<Record<string, unknown>[]> {
  let connection: Awaited<ReturnType<typeof createConnection>>
  try {
    connection = await createConnection({ ...mysqlConfig(), connectTimeout: 5000 })
  } catch (error) {
    throw unreachable('MariaDB/MySQL', mysqlUrl(), error)
  }
  try {
    const [rows] = await connection.query(statement)
    return rows as Record<string, unknown>[]
  } finally {
    await connection.end()
  }
}

/** Creates the target; fails loudly (never skips) when the server is not there. */
export async function createSqlTarget(engine: ServerEngine): Promise<SqlTarget> {
  const name = uniqueName('faults')
  if (engine === 'postgres') {
    await postgres(`create schema ${name}`)
    return {
      engine,
      name,
      async openStore(port) {
        const url = new URL(postgresUrl())
        if (port !== undefined) url.port = String(port)
        const pool = new pg.Pool({
          connectionString: url.toString(),
          options: `-c search_path=${name}`,
          application_name: name,
          max: 8,
          connectionTimeoutMillis: 2000,
        })
        // A connection the server ended emits 'error' (on the pool when idle, on the client when checked
        // out); handled, the query rejects and the store maps it to StoreUnavailableError.
        pool.on('error', () => undefined)
        pool.on('connect', (client) => client.on('error', () => undefined))
        const store = new SqlUsageStore({ db: new Kysely({ dialect: new PostgresDialect({ pool }) }) })
        await store.init()
        return store
      },
      async killConnections() {
        const { rows } = await postgres(
          'select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1',
          [name],
        )
        return rows.filter((r) => r.done === true).length
      },
      drop: async () => {
        await postgres(`drop schema if exists ${name} cascade`)
      },
    }
  }
  await mysql(`create database ${name}`)
  return {
    engine,
    name,
    async openStore(port) {
      const pool = createPool({
        ...mysqlConfig(name),
        ...(port === undefined ? {} : { port }),
        connectionLimit: 8,
        connectTimeout: 2000,
      })
      const store = new SqlUsageStore({ db: new Kysely({ dialect: new MysqlDialect({ pool }) }) })
      await store.init()
      return store
    },
    async killConnections() {
      const rows = await mysql(`select id from information_schema.processlist where db = '${name}'`)
      for (const row of rows) await mysql(`kill connection ${Number(row.id)}`).catch(() => undefined)
      return rows.length
    },
    drop: async () => {
      await mysql(`drop database if exists ${name}`)
    },
  }
}
