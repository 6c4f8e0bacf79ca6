/** One cached answer, linked into the recency list (most recent at the head). */
export class CachedEntry<V> {
  /** Towards the most recently used entry. */
  newer: CachedEntry<V> | undefined = undefined
  /** Towards the least recently used entry. */
  older: CachedEntry<V> | undefined = undefined

  /** The cache's push count when this entry was last moved to the head (its recency stamp). */
  pushedAt = 0

  constructor(
    readonly key: string,
    /** The cached answer. */
    public value: V,
    /** Epoch ms from which the answer is stale (still usable, but to be refreshed). */
    public expiresAt: number,
  ) {}
}

/** Options of {@link ClientPlanCache}. */
export interface ClientPlanCacheOptions {
  /** Most entries kept; adding one more drops the least recently used. */
  readonly maxEntries: number
  /** How long an answer stays fresh, in ms. */
  readonly ttlMs: number
  /** The clock, in epoch ms. */
  readonly now: () => number
}

/**
 * A least-recently-used cache whose entries go stale after a time to live. A stale entry is kept (and
 * returned) until it is replaced, evicted or deleted: the caller decides whether stale is good enough.
 *
 * Per entry: one Map slot and one small object linked into a list; a lookup allocates nothing. A hit on
 * an entry that is already among the newest quarter of the list writes nothing either (moving it would
 * touch three objects for no change in what gets evicted): the order inside that quarter is approximate,
 * the eviction of the least recently used entry beyond it is exact.
 */
export class ClientPlanCache<V> {
  private readonly entries = new Map<string, CachedEntry<V>>()
  private newest: CachedEntry<V> | undefined
  private oldest: CachedEntry<V> | undefined
  /** Moves to the head so far; an entry stamped within `slack` of it is at most `slack` from the head. */
  private pushes = 0
  private readonly slack: number

  constructor(private readonly options: ClientPlanCacheOptions) {
    this.slack = Math.floor(options.maxEntries / 4)
  }

  /** Number of entries, fresh and stale. */
  get size(): number {
    return this.entries.size
  }

  /**
   * The entry for `key`, fresh or stale, marked as the most recently used (see the class on the newest
   * quarter); `undefined` when absent.
   */
  get(key: string): CachedEntry<V> | undefined {
    const entry = this.entries.get(key)
    if (entry !== undefined && this.pushes - entry.pushedAt > this.slack) {
      this.unlink(entry)
      this.pushNewest(entry)
    }
    return entry
  }

  /** The entry for `key` without touching its recency; `undefined` when absent. */
  peek(key: string): CachedEntry<V> | undefined {
    return this.entries.get(key)
  }

  /** Caches `value` for `key`, fresh for `ttlMs`, as the most recently used; evicts past `maxEntries`. */
  set(key: string, value: V): CachedEntry<V> {
    const expiresAt = this.options.now() + this.options.ttlMs
    const existing = this.get(key)
    if (existing !== undefined) {
      existing.value = value
      existing.expiresAt = expiresAt
      return existing
    }
    const entry = new CachedEntry(key, value, expiresAt)
    this.entries.set(key, entry)
    this.pushNewest(entry)
    if (this.entries.size > this.options.maxEntries && this.oldest !== undefined) {
      this.delete(this.oldest.key)
    }
    return entry
  }

  /** Forgets `key`. Returns `true` when it was cached. */
  delete(key: string): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    this.entries.delete(key)
    this.unlink(entry)
    return true
  }

  private pushNewest(entry: CachedEntry<V>): void {
    entry.pushedAt = ++this.pushes
    entry.older = this.newest
    entry.newer = undefined
    if (this.newest !== undefined) this.newest.newer = entry
    this.newest = entry
    this.oldest ??= entry
  }

  private unlink(entry: CachedEntry<V>): void {
    if (entry.newer === undefined) this.newest = entry.older
    else entry.newer.older = entry.older
    if (entry.older === undefined) this.oldest = entry.newer
    else entry.older.newer = entry.newer
    entry.newer = undefined
    entry.older = undefined
  }
}
