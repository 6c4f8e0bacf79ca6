import type { RedisNode } from './redis-connection.js'

/** Reads one setting with `CONFIG GET`, as a RESP2 pair list or a RESP3 map. */
async function configValue(node: RedisNode, name: string): Promise<string | undefined> {
  const reply = await node.run(['CONFIG', 'GET', name])
  if (Array.isArray(reply)) return reply[1] === undefined ? undefined : String(reply[1])
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : undefined
  if (typeof reply === 'object' && reply !== null && name in reply) {
    return String((reply as Record<string, unknown>)[name])
  }
  return undefined
}

/** What is wrong with one node's persistence settings, or `undefined` when acknowledged charges survive. */
function durabilityProblem(appendonly: string, save: string, fsync: string | undefined): string | undefined {
  if (appendonly === 'no' && save.trim() === '') {
    return 'keeps nothing on disk (appendonly no, save ""): a restart or a failover loses all usage'
  }
  if (appendonly === 'no') {
    return `keeps only RDB snapshots (save "${save}"): a crash loses every charge since the last snapshot`
  }
  if (fsync === 'no') return 'leaves fsync of the AOF to the OS (appendfsync no): a crash loses about 30 s'
  return undefined
}

/**
 * Warnings about nodes that would lose acknowledged charges in a crash. A server that refuses
 * `CONFIG` (managed services often rename or disable it) is skipped: nothing is known about it.
 */
export async function durabilityWarnings(nodes: readonly RedisNode[]): Promise<string[]> {
  const warnings: string[] = []
  for (const node of nodes) {
    let settings: (string | undefined)[]
    try {
      settings = [
        await configValue(node, 'appendonly'),
        await configValue(node, 'save'),
        await configValue(node, 'appendfsync'),
      ]
    } catch {
      continue
    }
    const [appendonly, save, fsync] = settings
    if (appendonly === undefined || save === undefined) continue
    const problem = durabilityProblem(appendonly, save, fsync)
    if (problem !== undefined) {
      warnings.push(
        `RedisUsageStore: Redis ${node.name} ${problem}. Set appendonly yes (appendfsync everysec or always); see the README, "Durability".`,
      )
    }
  }
  return warnings
}
