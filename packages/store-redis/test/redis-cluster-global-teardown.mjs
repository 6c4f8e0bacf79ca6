// Jest global teardown: stops the Redis Cluster the global setup started and removes its directories.
export default async function globalTeardown() {
  await globalThis.__redisCluster__?.stop()
}
