import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { InvalidArgumentError, StoreUnavailableError, type StoreWindow } from '@x/api-billing-core'
import Database from 'better-sqlite3'
import {
  DummyDriver,
  Kysely,
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
} from 'kysely'
import { createPool } from 'mysql2'
import pg from 'pg'
import { createSqliteUsageStore } from './create-sqlite-usage-store.js'
import { detectSqlDialect } from './sql-dialect.js'
import { SqlUsageStore } from './sql-usage-store.js'
import type { SqliteDatabaseHandle } from './sqlite-database-handle.js'
import { createTestTarget } from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const minute = (limit: number): StoreWindow => ({ duration: 'minute', start: T0, end: T0 + 60_000, limit })

function sqliteKysely(database = new Database(':memory:')) {
  return new Kysely<unknown>({ dialect: new SqliteDialect({ database }) })
}

describe('choosing the dialect', () => {
  it('detects SQLite, Postgres and MySQL from the Kysely adapter', async () => {
    const sqlite = sqliteKysely()
    const postgres = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool() }) })
    const mysql = new Kysely({ dialect: new MysqlDialect({ pool: createPool({}) }) })
    expect([detectSqlDialect(sqlite), detectSqlDialect(postgres), detectSqlDialect(mysql)]).toEqual([
      'sqlite',
      'postgres',
      'mysql',
    ])
    expect(new SqlUsageStore({ db: postgres }).dialect).toBe('postgres')
    await Promise.all([sqlite.destroy(), postgres.destroy(), mysql.destroy()])
  })

  it('refuses an adapter it does not speak with an InvalidArgumentError naming options.dialect', () => {
    const mssql = new Kysely({
      dialect: {
        createAdapter: () => new MssqlAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new MssqlIntrospector(db),
        createQueryCompiler: () => new MssqlQueryCompiler(),
      },
    })
    expect(() => new SqlUsageStore({ db: mssql })).toThrow(InvalidArgumentError)
    expect(() => new SqlUsageStore({ db: mssql })).toThrow(/options\.dialect/)
  })

  it('refuses a missing db, a sqliteDatabase on another dialect and an unsafe table prefix', () => {
    expect(() => new SqlUsageStore({ db: undefined as never })).toThrow(InvalidArgumentError)
    const postgres = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool() }) })
    expect(
      () =>
        new SqlUsageStore({ db: postgres, sqliteDatabase: new Database(':memory:') as SqliteDatabaseHandle }),
    ).toThrow(/options\.sqliteDatabase/)
    for (const tablePrefix of ['drop table x;', '1abc_', 'a-b', 'x'.repeat(41), '']) {
      expect(() => new SqlUsageStore({ db: sqliteKysely(), tablePrefix })).toThrow(/options\.tablePrefix/)
    }
  })
})

describe('input the database would mangle', () => {
  it('rejects client ids and keys that are empty, contain U+0000 or exceed 1024 UTF-8 bytes, writing nothing', async () => {
    const store = await createSqliteUsageStore(':memory:')
    const bad = ['', 'a\u0000b', '€'.repeat(342)]
    for (const clientId of bad) {
      await expect(store.charge({ clientId, windows: [minute(5)], cost: 1, at: T0 })).rejects.toThrow(
        InvalidArgumentError,
      )
      await expect(store.status(clientId, [minute(5)])).rejects.toThrow(InvalidArgumentError)
    }
    const keyed = { clientId: 'a', windows: [minute(5)], cost: 1, at: T0 }
    await expect(
      store.charge({ ...keyed, idempotency: { key: 'k\u0000', expiresAt: T0 + 1 } }),
    ).rejects.toThrow(/request\.idempotency\.key/)
    await expect(
      store.charge({ ...keyed, idempotency: { key: 'k', expiresAt: Number.NaN } }),
    ).rejects.toThrow(/request\.idempotency\.expiresAt/)
    await expect(store.charge({ clientId: 'a', windows: [minute(5)], cost: -1, at: T0 })).rejects.toThrow(
      /cost/,
    )
    await expect(
      store.charge({ clientId: 'a', windows: [minute(Number.NaN)], cost: 1, at: T0 }),
    ).rejects.toThrow(/limit/)
    expect(await store.status('a', [minute(5)])).toEqual([0])
    expect(
      await store.charge({ clientId: '€'.repeat(341), windows: [minute(5)], cost: 1, at: T0 }),
    ).toMatchObject({
      allowed: true,
    })
    await store.close()
  })

  it('accepts a fractional limit as the whole credits that fit', async () => {
    const store = await createSqliteUsageStore(':memory:')
    expect((await store.charge({ clientId: 'a', windows: [minute(2.5)], cost: 2, at: T0 })).allowed).toBe(
      true,
    )
    expect((await store.charge({ clientId: 'a', windows: [minute(2.5)], cost: 1, at: T0 })).allowed).toBe(
      false,
    )
    await store.close()
  })
})

describe('table prefixes', () => {
  it('keeps two stores with different prefixes in one database apart', async () => {
    const { target, cleanup } = await createTestTarget('sqlite')
    const path = target.sqlitePath as string
    const first = await createSqliteUsageStore(path)
    const second = await createSqliteUsageStore(path, { tablePrefix: 'tenant2_' })
    await first.charge({ clientId: 'a', windows: [minute(10)], cost: 3, at: T0 })
    await second.charge({ clientId: 'a', windows: [minute(10)], cost: 5, at: T0 })
    expect(await first.status('a', [minute(10)])).toEqual([3])
    expect(await second.status('a', [minute(10)])).toEqual([5])
    await Promise.all([first.close(), second.close()])
    await cleanup()
  })
})

describe('SQLite group commit', () => {
  /** A better-sqlite3 handle that counts the write transactions it opens. */
  function countingHandle(database: Database.Database) {
    const counter = { writeTransactions: 0 }
    const handle: SqliteDatabaseHandle = {
      get inTransaction() {
        return database.inTransaction
      },
      prepare(sql) {
        const statement = database.prepare(sql)
        return {
          all: (...parameters) => statement.all(...parameters),
          run: (...parameters) => {
            if (/^begin immediate/i.test(sql)) counter.writeTransactions++
            return statement.run(...parameters)
          },
        }
      },
    }
    return { handle, counter }
  }

  it('commits charges that arrive together in one transaction and still gives each its own answer', async () => {
    const database = new Database(':memory:')
    const { handle, counter } = countingHandle(database)
    const store = new SqlUsageStore({ db: sqliteKysely(database), sqliteDatabase: handle })
    await store.init()
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        store.charge({ clientId: 'a', windows: [minute(60)], cost: 1, at: T0 }),
      ),
    )
    expect(counter.writeTransactions).toBe(1)
    expect(results.filter((r) => r.allowed).map((r) => r.used[0])).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    )
    expect(results.filter((r) => !r.allowed).every((r) => r.used[0] === 60)).toBe(true)
    await store.charge({ clientId: 'a', windows: [minute(Number.POSITIVE_INFINITY)], cost: 1, at: T0 })
    expect(counter.writeTransactions).toBe(2)
    await store.close()
  })

  it('rolls back the whole batch and rejects every caller in it with StoreUnavailableError when a write fails', async () => {
    const database = new Database(':memory:')
    const store = new SqlUsageStore({
      db: sqliteKysely(database),
      sqliteDatabase: database as SqliteDatabaseHandle,
    })
    await store.init()
    await store.charge({ clientId: 'a', windows: [minute(10)], cost: 1, at: T0 })
    database.exec(
      "create trigger fail_b before insert on api_billing_ledger when new.client_id = 'b' begin select raise(abort, 'disk on fire'); end",
    )
    const [a, b] = await Promise.allSettled([
      store.charge({ clientId: 'a', windows: [minute(10)], cost: 1, at: T0 + 20 * 60_000 }),
      store.charge({ clientId: 'b', windows: [minute(10)], cost: 1, at: T0 }),
    ])
    expect(a.status === 'rejected' && a.reason).toBeInstanceOf(StoreUnavailableError)
    expect(b.status === 'rejected' && b.reason).toBeInstanceOf(StoreUnavailableError)
    expect(await store.status('a', [minute(10)])).toEqual([1])
    await store.close()
  })
})

describe('createSqliteUsageStore', () => {
  it('opens the file in WAL mode, ready to charge', async () => {
    const { target, cleanup } = await createTestTarget('sqlite')
    const path = target.sqlitePath as string
    const store = await createSqliteUsageStore(path)
    await store.charge({ clientId: 'a', windows: [minute(10)], cost: 1, at: T0 })
    expect(existsSync(`${path}-wal`)).toBe(true)
    await store.close()
    await cleanup()
  })

  it('fails with StoreUnavailableError when the file cannot be opened', async () => {
    await expect(createSqliteUsageStore(join('/nonexistent-dir', 'x', 'usage.db'))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    )
  })

  it('refuses a bad path or pragma option with InvalidArgumentError', async () => {
    await expect(createSqliteUsageStore('')).rejects.toThrow(InvalidArgumentError)
    await expect(createSqliteUsageStore(':memory:', { synchronous: 'OFF' as never })).rejects.toThrow(
      /synchronous/,
    )
    await expect(createSqliteUsageStore(':memory:', { busyTimeoutMs: -1 })).rejects.toThrow(/busyTimeoutMs/)
  })
})

describe('closing', () => {
  it('is harmless twice, and leaves the Kysely instance usable when destroyOnClose is false', async () => {
    const db = sqliteKysely()
    const store = new SqlUsageStore({ db, destroyOnClose: false })
    await store.init()
    await store.close()
    await store.close()
    await expect(store.status('a', [minute(1)])).rejects.toBeInstanceOf(StoreUnavailableError)
    const again = new SqlUsageStore({ db })
    await again.init()
    expect(await again.status('a', [minute(1)])).toEqual([0])
    await again.close()
  })
})
