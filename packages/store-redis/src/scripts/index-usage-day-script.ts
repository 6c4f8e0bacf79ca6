/**
 * Records that a client may have a ledger bucket in a UTC day: the usage-scan index, written before the
 * charge that may create the bucket. KEYS: the index's day list, the day's client set (one slot).
 * ARGV: day start, the client's ordered id.
 */
export const INDEX_USAGE_DAY_SCRIPT = `
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1])
return 1
`
