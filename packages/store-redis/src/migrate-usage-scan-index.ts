import { keysOfEscaped } from './client-keys.js'
import type { RedisConnection, RedisNode } from './redis-connection.js'
import { replyArray } from './reply-parsing.js'
import { type UsageScanIndex, utcDayStart } from './usage-scan-index.js'

/** The layout version whose ledgers are all in the usage-scan index. */
const INDEXED_LAYOUT = '2'

/** `text` as a literal inside a Redis `MATCH` glob pattern. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/** The slot client-index keys (`<prefix>{<tag>}:clients`) on one node, by `SCAN`. */
async function slotIndexKeys(node: RedisNode, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const reply = replyArray(
      await node.run(['SCAN', cursor, 'MATCH', `${globLiteral(prefix)}{*}:clients`, 'COUNT', '1000']),
      'SCAN',
    )
    cursor = String(reply[0])
    for (const key of replyArray(reply[1], 'SCAN keys')) keys.push(String(key))
  } while (cursor !== '0')
  return keys
}

/** Indexes every day in which the client (by escaped id) has a ledger bucket. */
async function indexClient(
  connection: RedisConnection,
  index: UsageScanIndex,
  prefix: string,
  id: string,
): Promise<void> {
  const keys = keysOfEscaped(prefix, id)
  const starts = replyArray(
    await connection.run(keys.ledgerIndex, ['ZRANGE', keys.ledgerIndex, '0', '-1']),
    'ZRANGE',
  )
  const days = new Set(starts.map((start) => utcDayStart(Number(start))))
  for (const day of days) await index.add(keys.scanMember, day)
}

/**
 * The layout upgrade `init()` runs once per key prefix: ledgers written before the usage-scan index
 * existed (the layout without credits) get their index entries. Finds their clients through the slot
 * client indexes (`SCAN` on every master for `<prefix>{*}:clients`, once), indexes each client's
 * bucket days, then records the layout version, so later starts skip it. Ledger buckets need no
 * change (a missing fromBalance or overage field reads as 0), nor idempotency records (an answer
 * without a credit part replays without one). Safe to run twice, or from two processes at once.
 */
export async function migrateUsageScanIndex(
  connection: RedisConnection,
  index: UsageScanIndex,
  prefix: string,
): Promise<void> {
  if (String(await connection.run(index.layoutKey, ['GET', index.layoutKey])) === INDEXED_LAYOUT) return
  for (const node of await connection.nodes()) {
    for (const slotKey of await slotIndexKeys(node, prefix)) {
      const ids = replyArray(await connection.run(slotKey, ['SMEMBERS', slotKey]), 'SMEMBERS')
      await Promise.all(ids.map((id) => indexClient(connection, index, prefix, String(id))))
    }
  }
  await connection.run(index.layoutKey, ['SET', index.layoutKey, INDEXED_LAYOUT])
}
