import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from '@jest/globals'
import { InvalidArgumentError } from '@x/api-billing-core'
import type { Kysely } from 'kysely'
import { detectSqlDialect } from './sql-dialect.js'
import { createTestTarget, type TestEngine } from './test-support/test-databases.js'

// The worker runs the compiled package; the package's `test` script builds it first (`tsc -b && jest`).
const WORKER = join(__dirname, '..', 'dist', 'test-support', 'cjs-kysely-worker.js')

/** A Kysely stand-in whose adapter is an instance of `Adapter`. */
function withAdapter(Adapter: new () => object): Pick<Kysely<unknown>, 'getExecutor'> {
  return { getExecutor: () => ({ adapter: new Adapter() }) } as unknown as Pick<
    Kysely<unknown>,
    'getExecutor'
  >
}

describe('detectSqlDialect', () => {
  it('recognises Kysely adapter classes of another copy of Kysely, and their subclasses, by name', () => {
    // Classes with Kysely's adapter names that are not Kysely's: what a second copy of the package gives.
    class SqliteAdapter {}
    class PostgresAdapter {}
    class MysqlAdapter {}
    class PGliteAdapter extends PostgresAdapter {}
    expect(detectSqlDialect(withAdapter(SqliteAdapter))).toBe('sqlite')
    expect(detectSqlDialect(withAdapter(PostgresAdapter))).toBe('postgres')
    expect(detectSqlDialect(withAdapter(MysqlAdapter))).toBe('mysql')
    expect(detectSqlDialect(withAdapter(PGliteAdapter))).toBe('postgres')
  })

  it('refuses an adapter none of whose classes it knows, naming options.dialect', () => {
    class MssqlAdapter {}
    expect(() => detectSqlDialect(withAdapter(MssqlAdapter))).toThrow(InvalidArgumentError)
    expect(() => detectSqlDialect(withAdapter(MssqlAdapter))).toThrow(/options\.dialect.*MssqlAdapter/)
  })
})

describe.each<[TestEngine, string]>([
  ['sqlite', 'sqlite'],
  ['postgres', 'postgres'],
  ['mysql', 'mysql'],
])('a %s Kysely instance made by the CommonJS build', (engine, dialect) => {
  it('is accepted by the ESM store, which detects its dialect and charges through it', async () => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: build the package first (pnpm build)`)
    const { target, cleanup } = await createTestTarget(engine)
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [WORKER, JSON.stringify(target)])
      expect(JSON.parse(stdout)).toEqual({
        dialect,
        esmAdapter: false,
        charged: { allowed: true, used: [2], replayed: false },
      })
    } finally {
      await cleanup()
    }
  })
})
