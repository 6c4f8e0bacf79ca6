import { describe, expect, it } from '@jest/globals'
import { type Kysely, Migrator, sql } from 'kysely'
import {
  MIGRATION_BATCH_CHARGES_V2,
  MIGRATION_BATCHED_CHARGES,
  MIGRATION_COUNTERS_AND_LEDGER,
  MIGRATION_CREDITS,
  MIGRATION_KEYS_AND_RETENTION,
  MIGRATION_MYSQL_PROCEDURES,
  MIGRATION_POSTGRES_FUNCTIONS,
  usageStoreMigrations,
} from './migrations.js'
import { SqlUsageStore } from './sql-usage-store.js'
import { createTestTarget, openKysely, type TestEngine } from './test-support/test-databases.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const MINUTE = 60_000
const PREFIX = 'old_'

/** Brings the database to an earlier schema version, as an earlier release left it. */
async function migrateTo(db: Kysely<unknown>, engine: TestEngine, version: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => usageStoreMigrations(engine, PREFIX) },
    migrationTableName: `${PREFIX}migration`,
    migrationLockTableName: `${PREFIX}migration_lock`,
  })
  const { error } = await migrator.migrateTo(version)
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
      await migrateTo(db, engine, MIGRATION_COUNTERS_AND_LEDGER)
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
        { start: T0, credits: 7, fromBalance: 0, overage: 0 },
      ])
      const keyed = {
        clientId: 'legacy',
        windows: [minute],
        cost: 2,
        at: T0,
        idempotency: { key: 'after-upgrade', expiresAt: T0 + MINUTE },
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
  it.each([
    ['2', MIGRATION_KEYS_AND_RETENTION],
    ['3', MIGRATION_POSTGRES_FUNCTIONS],
    ['4', MIGRATION_MYSQL_PROCEDURES],
  ])(
    'upgrades a version-%s database: stored keys still replay, and charges and refunds run as before',
    async (_, version) => {
      const { target, cleanup } = await createTestTarget(engine)
      const db = await openKysely(target)
      let store: SqlUsageStore | undefined
      try {
        await migrateTo(db, engine, version)
        await sql`insert into ${sql.table(`${PREFIX}counters`)} (client_id, duration, window_start, window_end, used)
        values (${'legacy'}, ${'minute'}, ${T0}, ${T0 + MINUTE}, ${7})`.execute(db)
        await sql`insert into ${sql.table(`${PREFIX}idempotency_keys`)} (client_id, idem_key, used, expires_at)
        values (${'legacy'}, ${'before-upgrade'}, ${'[7]'}, ${T0 + MINUTE})`.execute(db)

        store = new SqlUsageStore({ db, tablePrefix: PREFIX })
        await store.init()
        const { rows } = await sql<{
          name: string
        }>`select name from ${sql.table(`${PREFIX}migration`)} order by name`.execute(db)
        expect(rows.map((r) => r.name)).toEqual([
          MIGRATION_COUNTERS_AND_LEDGER,
          MIGRATION_KEYS_AND_RETENTION,
          MIGRATION_POSTGRES_FUNCTIONS,
          MIGRATION_MYSQL_PROCEDURES,
          MIGRATION_BATCHED_CHARGES,
          MIGRATION_CREDITS,
          MIGRATION_BATCH_CHARGES_V2,
        ])
        if (engine === 'postgres') {
          const functions = await sql<{ name: string }>`select p.proname as name from pg_proc p
          where p.pronamespace = current_schema()::regnamespace and p.proname like ${`${PREFIX}%`}
          order by p.proname`.execute(db)
          expect(functions.rows.map((r) => r.name)).toEqual([
            `${PREFIX}charge`,
            `${PREFIX}charge_many`,
            `${PREFIX}refund`,
          ])
          // The upgraded batch function is the current one: it plans its statements once per session.
          const config = await sql<{ config: string[] }>`select p.proconfig as config from pg_proc p
          where p.pronamespace = current_schema()::regnamespace and p.proname = ${`${PREFIX}charge_many`}`.execute(
            db,
          )
          expect(config.rows[0]?.config).toEqual(['plan_cache_mode=force_generic_plan'])
        }
        if (engine === 'mysql') {
          const procedures = await sql<{
            name: string
          }>`select routine_name as name from information_schema.routines
          where routine_schema = database() and routine_type = 'PROCEDURE' and routine_name like ${`${PREFIX}%`}
          order by routine_name`.execute(db)
          expect(procedures.rows.map((r) => r.name)).toEqual([
            `${PREFIX}charge`,
            `${PREFIX}charge_many`,
            `${PREFIX}refund`,
          ])
          // Re-creating the procedures (drop if exists, then create) is idempotent.
          await usageStoreMigrations(engine, PREFIX)[MIGRATION_MYSQL_PROCEDURES]?.up(db)
          await usageStoreMigrations(engine, PREFIX)[MIGRATION_BATCHED_CHARGES]?.up(db)
          await usageStoreMigrations(engine, PREFIX)[MIGRATION_BATCH_CHARGES_V2]?.up(db)
        }

        const minute = { duration: 'minute' as const, start: T0, end: T0 + MINUTE, limit: 10 }
        const hour = { duration: 'hour' as const, start: T0, end: T0 + 60 * MINUTE, limit: 100 }
        const keyed = (key: string, cost: number) => ({
          clientId: 'legacy',
          windows: [minute, hour],
          cost,
          at: T0,
          idempotency: { key, expiresAt: T0 + MINUTE },
        })
        expect(await store.charge({ ...keyed('before-upgrade', 2), windows: [minute] })).toEqual({
          allowed: true,
          used: [7],
          replayed: true,
        })
        expect(await store.charge(keyed('after-upgrade', 2))).toEqual({
          allowed: true,
          used: [9, 2],
          replayed: false,
        })
        expect(await store.charge(keyed('too-much', 2))).toEqual({
          allowed: false,
          used: [9, 2],
          replayed: false,
        })
        expect(
          await store.refund({
            clientId: 'legacy',
            windows: [minute, hour],
            credits: 2,
            at: T0,
            refundKey: 'r1',
            refundKeyExpiresAt: T0 + MINUTE,
            idempotencyKey: 'after-upgrade',
            now: T0,
          }),
        ).toBe(true)
        expect(await store.status('legacy', [minute, hour])).toEqual([7, 0])
        expect(await store.charge(keyed('after-upgrade', 3))).toEqual({
          allowed: true,
          used: [10, 3],
          replayed: false,
        })
        await store.init()
        expect(await store.readUsage({ clientId: 'legacy', from: T0, to: T0 + MINUTE })).toEqual([
          { start: T0, credits: 3, fromBalance: 0, overage: 0 },
        ])
      } finally {
        // Closing the store destroys its Kysely; a failure before the store existed leaves only the Kysely.
        await (store === undefined ? db.destroy() : store.close())
        await cleanup()
      }
    },
  )
  it('upgrades a version-6 database: charge_many is created again in its current form', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    const db = await openKysely(target)
    let store: SqlUsageStore | undefined
    try {
      await migrateTo(db, engine, MIGRATION_CREDITS)
      // Without the batch charge of the earlier release, only the upgrade can have created it again.
      const routine = engine === 'mysql' ? 'procedure' : 'function'
      if (engine !== 'sqlite') await sql.raw(`drop ${routine} ${PREFIX}charge_many`).execute(db)
      store = new SqlUsageStore({ db, tablePrefix: PREFIX })
      await store.init()
      const minute = { duration: 'minute' as const, start: T0, end: T0 + MINUTE, limit: 10 }
      const keyed = (at: number, expiresAt: number) => ({
        clientId: 'c',
        windows: [minute],
        cost: 1,
        at,
        idempotency: { key: 'k', expiresAt },
      })
      await store.charge(keyed(T0, T0 + 10 * MINUTE))
      // One batch: the second item replays what the first left, not the stored answer it replaced.
      const results = await Promise.all([
        store.charge(keyed(T0 + 20 * MINUTE, T0 + 21 * MINUTE)),
        store.charge(keyed(T0 + 5 * MINUTE, T0 + 15 * MINUTE)),
      ])
      expect(results).toEqual([
        { allowed: true, used: [2], replayed: false },
        { allowed: true, used: [2], replayed: true },
      ])
    } finally {
      await (store === undefined ? db.destroy() : store.close())
      await cleanup()
    }
  })
  it('upgrades a version-5 database with data in place: old buckets read no balance or overage, old keys replay, credits work', async () => {
    const { target, cleanup } = await createTestTarget(engine)
    try {
      const db = await openKysely(target)
      await migrateTo(db, engine, MIGRATION_BATCHED_CHARGES)
      const before = new SqlUsageStore({ db, tablePrefix: PREFIX, destroyOnClose: false })
      const minute = { duration: 'minute' as const, start: T0, end: T0 + MINUTE, limit: 5 }
      const keyed = { clientId: 'Legacy', windows: [minute], cost: 2, at: T0 }
      const key = { key: 'before-upgrade', expiresAt: T0 + MINUTE }
      expect(await before.charge({ ...keyed, idempotency: key })).toMatchObject({ used: [2] })
      await before.charge({ ...keyed, clientId: 'legacy' })
      await before.close()

      const store = new SqlUsageStore({ db, tablePrefix: PREFIX })
      await store.init()
      expect(await store.charge({ ...keyed, idempotency: key })).toEqual({
        allowed: true,
        used: [2],
        replayed: true,
      })
      expect(await store.readUsage({ clientId: 'Legacy', from: T0, to: T0 + MINUTE })).toEqual([
        { start: T0, credits: 2, fromBalance: 0, overage: 0 },
      ])
      const grant = {
        id: 'g',
        credits: 10,
        remaining: 10,
        effectiveAt: T0,
        expiresAt: undefined,
        grantedAt: T0,
        note: 'über',
      }
      await store.grantCredits({ clientId: 'Legacy', grant, idempotencyKey: 'welcome' })
      const prepaid = { ...minute, overflow: 'balance' as const }
      const credit = await store.charge({
        ...keyed,
        windows: [prepaid],
        cost: 4,
        idempotency: { ...key, key: 'k' },
      })
      expect(credit).toMatchObject({ allowed: true, used: [6], credit: { fromBalance: 1, balance: 9 } })
      expect(await store.listGrants('Legacy', T0)).toEqual([{ ...grant, remaining: 9 }])
      // Byte-wise client order: 'Legacy' before 'legacy' whatever the database's collation.
      expect(
        (await store.scanUsage({ from: T0, to: T0 + MINUTE, limit: 10 })).map((r) => r.clientId),
      ).toEqual(['Legacy', 'legacy'])
      await store.init()
      expect(
        await store.charge({ ...keyed, windows: [prepaid], cost: 4, idempotency: { ...key, key: 'k' } }),
      ).toEqual({
        ...credit,
        replayed: true,
      })
      await store.close()
    } finally {
      await cleanup()
    }
  })
})
