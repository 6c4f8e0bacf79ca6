/**
 * Drops the index of days whose buckets all start before `before` (day start + a day <= before).
 * KEYS: the day list. ARGV: the last day start to drop, index key base.
 */
export const PURGE_USAGE_DAYS_SCRIPT = `
local days = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, day in ipairs(days) do redis.call('UNLINK', ARGV[2] .. 'day:' .. day) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return #days
`
