import { MongoUsageStore } from '@x/api-billing-store-mongo'
import { MongoClient } from 'mongodb'
import { RateLimiterMongo } from 'rate-limiter-flexible'
import type { BenchConfig } from '../bench-config.js'
import type { Scenario } from '../contest.js'
import type { MongoServer } from '../ferretdb.js'
import { uniqueName } from '../server-urls.js'
import { LIMIT, ourContestant, peerContestant, scenarioName, type WindowCount } from '../workload.js'

const CONCURRENCY = 16

/**
 * A MongoDB-wire server (FerretDB v1 started by the bench), a fresh database per scenario:
 * `MongoUsageStore` against `RateLimiterMongo`.
 */
export function mongoScenarios(config: BenchConfig, server: MongoServer): Scenario[] {
  return ([1, 3] as WindowCount[]).map((windows) => {
    const dbName = uniqueName('bench')
    let peerClient: MongoClient | undefined
    return {
      suite: 'mongodb (FerretDB)',
      name: scenarioName(windows),
      contestants: [
        ourContestant('ApiBilling + MongoUsageStore', windows, async () => {
          const store = MongoUsageStore.fromUrl(server.url, { dbName })
          await store.init()
          return store
        }),
        peerContestant(
          windows === 1 ? 'RateLimiterMongo' : 'RateLimiterUnion(RateLimiterMongo ×3)',
          windows,
          async (duration, keyPrefix) => {
            if (peerClient === undefined) {
              peerClient = new MongoClient(server.url, { serverSelectionTimeoutMS: 2000 })
              await peerClient.connect()
            }
            return new RateLimiterMongo({
              storeClient: peerClient,
              dbName,
              tableName: keyPrefix,
              points: LIMIT,
              duration,
              keyPrefix,
            })
          },
          async () => {
            await peerClient
              ?.db(dbName)
              .dropDatabase()
              .catch(() => undefined)
            await peerClient?.close()
          },
        ),
      ],
      measure: { durationMs: config.ioRunMs, concurrency: CONCURRENCY, sampleEvery: 1 },
      warmupMs: config.ioRunMs / 2,
    }
  })
}
