// Jest global setup: starts a 3-master Redis Cluster from the machine's redis-server (free loopback
// ports, temp directories, nothing on disk) and hands its nodes to the tests as REDIS_CLUSTER_NODES.
// Throws, failing the whole run with the reason, when redis-server or redis-cli is missing. Plain ESM
// on the built test support (the `test` script builds first): jest loads this file outside its
// module mapping. A process exit hook kills the servers should the teardown never run.
import { startRedisCluster } from '../dist/test-support/redis-cluster-process.js'

export default async function globalSetup() {
  const cluster = await startRedisCluster(3)
  globalThis.__redisCluster__ = cluster
  process.on('exit', () => {
    for (const server of cluster.servers) server.child.kill('SIGKILL')
  })
  process.env.REDIS_CLUSTER_NODES = cluster.nodes.join(',')
}
