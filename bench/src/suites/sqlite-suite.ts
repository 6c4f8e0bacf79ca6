import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteUsageStore } from '@x/api-billing-store-sql'
import Database from 'better-sqlite3'
import { RateLimiterSQLite } from 'rate-limiter-flexible'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import {
  LIMIT,
  ourContestant,
  peerContestant,
  readyLimiter,
  scenarioName,
  type WindowCount,
} from '../workload.js'

/** SQLite concurrency: requests in flight at once, as in a busy server (our store commits them in groups). */
const CONCURRENCY = 64

function tempDir(): { dir: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'api-billing-bench-'))
  return { dir, remove: async () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A SQLite file each: `createSqliteUsageStore` (WAL, synchronous=NORMAL, counters and ledger) against
 * `RateLimiterSQLite` on better-sqlite3 with the same journal settings.
 */
export function sqliteScenarios(config: BenchConfig): Scenario[] {
  return ([1, 3] as WindowCount[]).map((windows) => {
    const ours = tempDir()
    const peer = tempDir()
    let database: Database.Database | undefined
    return {
      suite: 'sqlite',
      name: scenarioName(windows),
      contestants: [
        ourContestant(
          'ApiBilling + SqlUsageStore (SQLite)',
          windows,
          () => createSqliteUsageStore(join(ours.dir, 'usage.db')),
          ours.remove,
        ),
        peerContestant(
          windows === 1 ? 'RateLimiterSQLite' : 'RateLimiterUnion(RateLimiterSQLite ×3)',
          windows,
          async (duration, keyPrefix) => {
            if (database === undefined) {
              database = new Database(join(peer.dir, 'peer.db'))
              database.pragma('journal_mode = WAL')
              database.pragma('synchronous = NORMAL')
            }
            const storeClient = database
            return readyLimiter(
              (ready) =>
                new RateLimiterSQLite(
                  {
                    storeClient,
                    storeType: 'better-sqlite3',
                    tableName: keyPrefix,
                    points: LIMIT,
                    duration,
                    keyPrefix,
                    clearExpiredByTimeout: false,
                  },
                  ready,
                ),
            )
          },
          async () => {
            database?.close()
            await peer.remove()
          },
        ),
      ],
      measure: { durationMs: config.ioRunMs, concurrency: CONCURRENCY, sampleEvery: 1 },
      warmupMs: config.ioRunMs / 2,
    }
  })
}
