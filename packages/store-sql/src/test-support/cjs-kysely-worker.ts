/**
 * A child process for the dialect-detection test, run from the built `dist/` (ESM, so the store imports
 * Kysely's ESM build):
 *
 *   node dist/test-support/cjs-kysely-worker.js '<TestTarget as JSON>'
 *
 * Builds a Kysely instance with Kysely's CommonJS build (`createRequire`, as a CommonJS application
 * would) — a second copy of every Kysely class — opens a `SqlUsageStore` on it without naming the
 * dialect, charges once and prints one line of JSON: the dialect detected, whether the adapter is an
 * instance of the ESM build's adapter class (it must not be, or the test proves nothing) and the charge.
 */
import { writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { MysqlAdapter, PostgresAdapter, SqliteAdapter } from 'kysely'
import { SqlUsageStore } from '../sql-usage-store.js'
import { type KyselyBuild, openKysely, type TestTarget } from './test-databases.js'

async function main(target: TestTarget): Promise<void> {
  const commonJsKysely = createRequire(import.meta.url)('kysely') as KyselyBuild
  const db = await openKysely(target, commonJsKysely)
  const adapter = db.getExecutor().adapter
  const store = new SqlUsageStore({ db })
  try {
    await store.init()
    const window = { duration: 'minute', start: 0, end: 60_000, limit: 10 } as const
    const charged = await store.charge({ clientId: 'cjs', windows: [window], cost: 2, at: 0 })
    const line = {
      dialect: store.dialect,
      esmAdapter: [SqliteAdapter, PostgresAdapter, MysqlAdapter].some((esm) => adapter instanceof esm),
      charged,
    }
    writeSync(1, `${JSON.stringify(line)}\n`)
  } finally {
    await store.close()
  }
}

main(JSON.parse(process.argv[2] ?? '{}') as TestTarget).catch((error: unknown) => {
  writeSync(2, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
