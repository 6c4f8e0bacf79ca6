// A separate Node process for the multi-process test: opens the built store on the given database and
// fires `count` concurrent 1-credit charges at one minute window, then prints what it was granted.
// Usage: node charge-worker.mjs <url> <dbName> <count> <limit> <windowStart>
import { MongoUsageStore } from '../../dist/index.js'

const [url, dbName, count, limit, start] = process.argv.slice(2)
const store = MongoUsageStore.fromUrl(url, { dbName })
const window = { duration: 'minute', start: Number(start), end: Number(start) + 60_000, limit: Number(limit) }
try {
  const results = await Promise.all(
    Array.from({ length: Number(count) }, () =>
      store.charge({ clientId: 'shared', windows: [window], cost: 1, at: Number(start) }),
    ),
  )
  const granted = results.filter((r) => r.allowed).map((r) => r.used[0])
  process.stdout.write(JSON.stringify({ granted }))
} finally {
  await store.close()
}
