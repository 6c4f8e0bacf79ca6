import {
  type ChargeRequest,
  type ChargeResult,
  type DeleteUsageRequest,
  type GrantRequest,
  hasOverflowWindow,
  InvalidArgumentError,
  type LedgerBucket,
  type PurgeRequest,
  type RefundRequest,
  type ScannedBucket,
  type StoredGrant,
  StoreUnavailableError,
  type StoreWindow,
  toStoreUnavailableError,
  type UsageRange,
  type UsageScan,
  type UsageStore,
} from '@x/api-billing-core'
import { type Kysely, type Migration, Migrator, sql } from 'kysely'
import { type SqlBatchingOptions, serverBatching, sqliteBatchSize } from './batching-options.js'
import {
  assertGrantRequest,
  assertOverflow,
  assertRefundCredits,
  boundedScan,
  refundsCredits,
} from './credit-input.js'
import { MysqlEngine } from './engines/mysql-engine.js'
import { PostgresEngine } from './engines/postgres-engine.js'
import type { SqlEngine } from './engines/sql-engine.js'
import { SqliteEngine } from './engines/sqlite-engine.js'
import { handleSession, kyselySession } from './engines/sqlite-session.js'
import { usageStoreMigrations } from './migrations.js'
import { detectSqlDialect, type SqlDialect } from './sql-dialect.js'
import type { SqliteDatabaseHandle } from './sqlite-database-handle.js'
import {
  assertChargeRequest,
  assertRefundRequest,
  assertStoreId,
  assertWindows,
  boundedDelete,
  rangeBound,
} from './store-input.js'
import { tableNames } from './table-names.js'

/** Options of {@link SqlUsageStore}. */
export interface SqlUsageStoreOptions<DB = unknown> {
  /**
   * The Kysely instance to keep usage in (SQLite, Postgres or MySQL/MariaDB dialect). The store runs
   * its own precompiled SQL on it, without the instance's plugins. Required.
   */
  readonly db: Kysely<DB>
  /** The database engine. Default: detected from the Kysely adapter. */
  readonly dialect?: SqlDialect
  /**
   * Prefix of every table, index and migration-table name, so several stores (or your own tables)
   * can share one database or schema. Letters, digits and `_`, at most 40 characters.
   * Default `'api_billing_'`.
   */
  readonly tablePrefix?: string
  /**
   * SQLite only: the better-sqlite3 `Database` behind `db`. When given, statements are prepared once
   * and run directly on it — several times faster than through Kysely's driver, which prepares every
   * statement per call. `createSqliteUsageStore` passes it. Default: none (everything through `db`).
   */
  readonly sqliteDatabase?: SqliteDatabaseHandle
  /** Whether {@link SqlUsageStore.close} also destroys `db` (ends its pool or closes the file). Default `true`. */
  readonly destroyOnClose?: boolean
  /**
   * Whether charges that arrive together go to the database as one call in one transaction, each caller
   * still answered with its own exact result: on Postgres and MySQL/MariaDB the charges that arrive in
   * the same event-loop turn or while a batch is in flight (one call of `<prefix>charge_many`); on
   * SQLite every operation of the same turn (group commit). Status reads that arrive together on
   * Postgres and MySQL/MariaDB go as one select. `false`: one call (SQLite: one transaction) per
   * operation. Default `true` (`{ maxBatchSize: 64, maxBatchWaitMs: 1 }`; SQLite `maxBatchSize` 1000).
   */
  readonly batching?: boolean | SqlBatchingOptions
}

/**
 * A `UsageStore` in a SQL database through Kysely: SQLite (better-sqlite3), PostgreSQL (pg) or
 * MySQL/MariaDB (mysql2). Every charge changes all of its window counters and its ledger bucket in one
 * transaction, and only if every window has room; each engine's concurrency model is used as it is
 * (SQLite's single writer with group commit, row locks taken in one order on Postgres and InnoDB), so
 * any number of processes can share one database and the count stays exact. Never locks a table.
 * Charges (and status reads) that arrive together go to the database as one call (option `batching`, on
 * by default).
 *
 * Call {@link SqlUsageStore.init} once at start-up: it creates or upgrades the tables. Database
 * failures reject with `StoreUnavailableError`; a pool reconnects by itself once the database is back.
 *
 * @example
 * const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString }) }) })
 * const store = new SqlUsageStore({ db })
 * await store.init()
 * const billing = new ApiBilling({ store })
 */
export class SqlUsageStore<DB = unknown> implements UsageStore {
  /** The engine this store speaks, given or detected. */
  readonly dialect: SqlDialect
  /** The prefix of its table names. */
  readonly tablePrefix: string
  private readonly db: Kysely<unknown>
  private readonly engine: SqlEngine
  private readonly destroyOnClose: boolean
  private readonly inFlight = new Set<Promise<unknown>>()
  private closed = false
  private closing: Promise<void> | undefined

  constructor(options: SqlUsageStoreOptions<DB>) {
    if (typeof options?.db?.getExecutor !== 'function') {
      throw new InvalidArgumentError('options.db', 'expected a Kysely instance')
    }
    const db = (options.db as unknown as Kysely<unknown>).withoutPlugins()
    this.dialect = options.dialect ?? detectSqlDialect(db)
    if (!['sqlite', 'postgres', 'mysql'].includes(this.dialect)) {
      throw new InvalidArgumentError(
        'options.dialect',
        `expected 'sqlite', 'postgres' or 'mysql', got ${this.dialect}`,
      )
    }
    this.tablePrefix = options.tablePrefix ?? 'api_billing_'
    const tables = tableNames(this.tablePrefix, this.dialect)
    this.db = db
    this.destroyOnClose = options.destroyOnClose ?? true
    if (options.sqliteDatabase !== undefined && this.dialect !== 'sqlite') {
      throw new InvalidArgumentError(
        'options.sqliteDatabase',
        `only for the sqlite dialect, not ${this.dialect}`,
      )
    }
    if (this.dialect === 'sqlite') {
      const session = options.sqliteDatabase ? handleSession(options.sqliteDatabase) : kyselySession(db)
      this.engine = new SqliteEngine(session, tables, sqliteBatchSize(options.batching))
    } else {
      const Engine = this.dialect === 'postgres' ? PostgresEngine : MysqlEngine
      this.engine = new Engine(db, tables, this.tablePrefix, serverBatching(options.batching))
    }
  }

  /**
   * Creates the tables or upgrades them to the current schema version with Kysely's `Migrator`
   * (migration table `<prefix>migration`, lock table `<prefix>migration_lock`). Idempotent and safe
   * to run from several processes at once.
   */
  async init(): Promise<void> {
    await this.guard('init', async () => {
      const migrations = usageStoreMigrations(this.dialect, this.tablePrefix)
      const migrator = new Migrator({
        db: this.db,
        provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
        migrationTableName: `${this.tablePrefix}migration`,
        migrationLockTableName: `${this.tablePrefix}migration_lock`,
        ...(await this.migrationSchema()),
      })
      const { error } = await migrator.migrateToLatest()
      if (error !== undefined) throw error
    })
  }

  /**
   * On Postgres, the schema the store's tables live in (the first of the `search_path`). Kysely's
   * migrator looks for its tables by name in every schema unless told one, and would then skip creating
   * them here when another schema of the database already has a store.
   */
  private async migrationSchema(): Promise<{ migrationTableSchema?: string }> {
    if (this.dialect !== 'postgres') return {}
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(this.db)
    const schema = rows[0]?.schema
    return schema ? { migrationTableSchema: schema } : {}
  }

  /**
   * A charge without overflow windows takes the fast path (one function or procedure call, batched by
   * default; on SQLite a job of the group commit). One with an overflow window runs as one interactive
   * transaction decided by core's `planCreditCharge` (on SQLite, one job of the group commit), outside
   * the batches; both lock the same counter rows, so they serialize on them.
   */
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    assertChargeRequest(request)
    if (hasOverflowWindow(request.windows)) {
      assertOverflow(request)
      return this.guard('charge', () => this.engine.credits.charge(request))
    }
    return this.guard('charge', () => this.engine.charge(request))
  }

  async status(clientId: string, windows: readonly StoreWindow[]): Promise<readonly number[]> {
    assertStoreId(clientId, 'clientId')
    assertWindows(windows, 'windows')
    return this.guard('status', () => this.engine.status(clientId, windows))
  }

  /**
   * A refund that restores grants or takes back overage runs as one interactive transaction (the credit
   * path); any other as before (one function or procedure call on Postgres and MySQL).
   */
  async refund(request: RefundRequest): Promise<boolean> {
    assertRefundRequest(request)
    assertRefundCredits(request)
    if (refundsCredits(request)) return this.guard('refund', () => this.engine.credits.refund(request))
    return this.guard('refund', () => this.engine.refund(request))
  }

  async grantCredits(request: GrantRequest): Promise<StoredGrant> {
    assertGrantRequest(request)
    return this.guard('grantCredits', () => this.engine.credits.grantCredits(request))
  }

  async listGrants(clientId: string, now: number): Promise<readonly StoredGrant[]> {
    assertStoreId(clientId, 'clientId')
    const at = rangeBound(now, 'now')
    return this.guard('listGrants', () => this.engine.credits.listGrants(clientId, at))
  }

  async voidGrant(clientId: string, grantId: string): Promise<boolean> {
    assertStoreId(clientId, 'clientId')
    assertStoreId(grantId, 'grantId')
    return this.guard('voidGrant', () => this.engine.credits.voidGrant(clientId, grantId))
  }

  /**
   * One page of every client's ledger buckets in `[from, to)`, ordered by `(clientId, start)` with client
   * ids compared byte-wise, read off the ledger's primary key (no sort of the table per page).
   */
  async scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]> {
    const bounded = boundedScan(scan)
    return this.guard('scanUsage', () => this.engine.credits.scanUsage(bounded))
  }

  async readUsage(range: UsageRange): Promise<readonly LedgerBucket[]> {
    assertStoreId(range?.clientId, 'range.clientId')
    const bounded = {
      clientId: range.clientId,
      from: rangeBound(range.from, 'range.from'),
      to: rangeBound(range.to, 'range.to'),
    }
    return this.guard('readUsage', () => this.engine.readUsage(bounded))
  }

  async deleteUsage(request: DeleteUsageRequest): Promise<void> {
    const bounded = boundedDelete(request)
    return this.guard('deleteUsage', () => this.engine.deleteUsage(bounded))
  }

  async purge(request: PurgeRequest): Promise<void> {
    const bounded = {
      before: rangeBound(request?.before, 'request.before'),
      now: rangeBound(request?.now, 'request.now'),
    }
    return this.guard('purge', () => this.engine.purge(bounded))
  }

  /**
   * Waits for the operations in flight, then (unless `destroyOnClose` is `false`) destroys the Kysely
   * instance, ending its pool or closing the SQLite file. Later calls reject with
   * `StoreUnavailableError`. Calling it again is harmless.
   */
  async close(): Promise<void> {
    this.closed = true
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight])
      await this.engine.drain()
      if (this.destroyOnClose) await this.db.destroy()
    })()
    try {
      await this.closing
    } catch (error) {
      throw toStoreUnavailableError(error, `${this.context}.close`)
    }
  }

  /** How errors name this store: `SqlUsageStore (postgres)`. */
  private get context(): string {
    return `SqlUsageStore (${this.dialect})`
  }

  /**
   * Runs one operation: refuses it after close, tracks it for close, maps driver errors with core's
   * `toStoreUnavailableError` (context `SqlUsageStore (<dialect>).<method>`).
   */
  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new StoreUnavailableError(`${this.context}.${operation}: the store is closed`)
    }
    const running = work()
    this.inFlight.add(running)
    try {
      return await running
    } catch (error) {
      throw toStoreUnavailableError(error, `${this.context}.${operation}`)
    } finally {
      this.inFlight.delete(running)
    }
  }
}
