import type { ClientKeys } from './client-keys.js'
import { scriptCommand } from './redis-connection.js'
import { type RedisScript, redisScript } from './redis-script.js'
import { replyArray } from './reply-parsing.js'
import type { ScriptRunner } from './script-runner.js'
import { INDEX_USAGE_DAY_SCRIPT } from './scripts/index-usage-day-script.js'
import { PURGE_USAGE_DAYS_SCRIPT } from './scripts/purge-usage-days-script.js'
import { SCAN_CANDIDATES_SCRIPT } from './scripts/scan-candidates-script.js'

/** One UTC day in ms: the index's granularity. */
const DAY_MS = 86_400_000
/** Clients whose indexed day this process remembers; past it the memory starts over. */
const MAX_REMEMBERED = 100_000

/** The scripts of the usage-scan index, loaded by `init()` with the store's others. */
export const USAGE_SCAN_SCRIPTS = {
  indexDay: redisScript(INDEX_USAGE_DAY_SCRIPT),
  candidates: redisScript(SCAN_CANDIDATES_SCRIPT),
  purgeDays: redisScript(PURGE_USAGE_DAYS_SCRIPT),
} as const satisfies Record<string, RedisScript>

/** The UTC day (its start, epoch ms) that holds the instant `at`. */
export function utcDayStart(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS
}

/**
 * The index `scanUsage` pages through: per UTC day, a sorted set of the clients that may have a ledger
 * bucket in it (`orderedClientId` members, so byte-wise client order), and a sorted set of the days.
 * All of it lives under one hash tag, `{usage-scan}`, so one script reads it even on a Cluster; a
 * client's own keys live in other slots, so the index is written by its own command **before** the
 * charge that may create a bucket (once per client and day per process): it lists every client with a
 * bucket in a day, and perhaps a few without (a rejected or failed charge), which a scan skips.
 */
export class UsageScanIndex {
  /** `<prefix>{usage-scan}:`, the start of every index key. */
  readonly base: string
  /** Sorted set of the indexed days (score and member: the day start). */
  readonly daysKey: string
  /** The index layout version (`2`) once `init()` indexed the ledgers written before the index existed. */
  readonly layoutKey: string
  private readonly remembered = new Map<string, number>()

  constructor(
    prefix: string,
    private readonly run: ScriptRunner,
  ) {
    this.base = `${prefix}{usage-scan}:`
    this.daysKey = `${this.base}days`
    this.layoutKey = `${this.base}layout`
  }

  /**
   * Indexes the client for the day of `at` unless this process already did: `undefined` (nothing to
   * wait for, the usual case), or the promise of the index write, which the charge must await first.
   */
  ensure(keys: ClientKeys, at: number): Promise<void> | undefined {
    const day = utcDayStart(at)
    if (this.remembered.get(keys.id) === day) return undefined
    return this.record(keys, day)
  }

  /** Indexes the client (its ordered member) for the UTC day starting at `day`. */
  async add(member: string, day: number): Promise<void> {
    const command = scriptCommand(USAGE_SCAN_SCRIPTS.indexDay, [this.daysKey, `${this.base}day:${day}`])
    command.push(String(day), member)
    await this.run(USAGE_SCAN_SCRIPTS.indexDay, command, 'RedisUsageStore.charge (usage index)')
  }

  /**
   * The first `count` ordered client ids after `after` ('' = from the start), in byte-wise order, of
   * the clients indexed on a day that overlaps `[from, to)`.
   */
  async candidates(from: number, to: number, after: string, count: number): Promise<string[]> {
    const command = scriptCommand(USAGE_SCAN_SCRIPTS.candidates, [this.daysKey])
    command.push(String(utcDayStart(from)), String(utcDayStart(to - 1)), after, String(count), this.base)
    const reply = await this.run(USAGE_SCAN_SCRIPTS.candidates, command, 'RedisUsageStore.scanUsage')
    const ids = [...new Set(replyArray(reply, 'scan candidates').map(String))]
    return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, count)
  }

  /** Drops the days whose buckets all start before `before`; forgets what this process indexed. */
  async purge(before: number): Promise<void> {
    this.remembered.clear()
    const command = scriptCommand(USAGE_SCAN_SCRIPTS.purgeDays, [this.daysKey])
    command.push(String(before - DAY_MS), this.base)
    await this.run(USAGE_SCAN_SCRIPTS.purgeDays, command, 'RedisUsageStore.purge')
  }

  private async record(keys: ClientKeys, day: number): Promise<void> {
    await this.add(keys.scanMember, day)
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear()
    this.remembered.set(keys.id, day)
  }
}
