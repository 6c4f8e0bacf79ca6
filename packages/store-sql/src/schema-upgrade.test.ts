import { describe, expect, it } from '@jest/globals'
import { type Kysely, Migrator, sql } from 'kysely'
import { MIGRATION_COUNTERS_AND_LEDGER, usageStoreMigrations } from './migrations.js'
import { SqlUsageStore } from './sql-usage-store.js'
import { createTestTarget, openKysely, type TestEngine } from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const MINUTE = 60_000
const PREFIX = 'old_'

/** Brings the database to schema version 1 (counters and ledger only), as an earlier release left it. */
async function migrateToVersion1(db: Kysely<unknown>, engine: TestEngine): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => usageStoreMigrations(engine, PREFIX) },
    migrationTableName: `${PREFIX}migration`,
    migrationLockTableName: `${PREFIX}migration_lock`,
  })
  const { error } = await migrator.migrateTo(MIGRATION_COUNTERS_AND_LEDGER)
  if (error !== undefined) throw error
}

async function tableExists(db: Kysely<unknown>, name: string): Promise<boolean> {
  try {
    await sql`select count(*) from ${sql.table(name)}`.execute(db)
    return true
  } catch {
    return false
  }
}

describe.each<TestEngine>(['sqlite', 'postgres', 'mysql'])('upgrading a %s schema', (engine) => {
  it('upgrades a version-1 database to the current schema and keeps its counters and ledger', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    try {
      const db = await openKysely(target)
      await migrateToVersion1(db, engine)
      await sql`insert into ${sql.table(`${PREFIX}counters`)} (client_id, duration, window_start, window_end, used)
        values (${'legacy'}, ${'minute'}, ${T0}, ${T0 + MINUTE}, ${7})`.execute(db)
      await sql`insert into ${sql.table(`${PREFIX}ledger`)} (client_id, bucket_start, credits)
        values (${'legacy'}, ${T0}, ${7})`.execute(db)
      expect(await tableExists(db, `${PREFIX}idempotency_keys`)).toBe(false)

      const store = new SqlUsageStore({ db, tablePrefix: PREFIX })
      await store.init()

      const minute = { duration: 'minute' as const, start: T0, end: T0 + MINUTE, limit: 10 }
      expect(await store.status('legacy', [minute])).toEqual([7])
      expect(await store.readUsage({ clientId: 'legacy', from: T0, to: T0 + MINUTE })).toEqual([
        { start: T0, credits: 7 },
      ])
      const keyed = {
        clientId: 'legacy',
        windows: [minute],
        cost: 2,
        at: T0,
        idempotencyKey: 'after-upgrade',
        idempotencyExpiresAt: T0 + MINUTE,
      }
      expect(await store.charge(keyed)).toEqual({ allowed: true, used: [9], replayed: false })
      expect(await store.charge(keyed)).toEqual({ allowed: true, used: [9], replayed: true })
      await store.init()
      expect(await store.status('legacy', [minute])).toEqual([9])
      await store.close()
    } finally {
      await cleanup()
    }
  })
})
