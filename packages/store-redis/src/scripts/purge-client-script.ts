import { LEDGER_LUA_HELPERS } from './ledger-lua-helpers.js'
import { LUA_HELPERS } from './lua-helpers.js'

/**
 * Retention for one client in one script run.
 *
 * KEYS: idempotency hash, idempotency index, ledger, ledger index, counter index, refund index, slot
 * client index, live-grant set, all-grant set, grant-key hash. ARGV: key base, escaped client id,
 * before, now.
 *
 * Deletes ledger buckets that start before `before`, counters of windows that ended at or before it
 * (and index entries of counters that already expired), grants that expired at or before it (with
 * their idempotency keys), idempotency and refund keys whose expiry is at or before `now`. A client
 * left with nothing leaves the slot's client index.
 */
export const PURGE_CLIENT_SCRIPT = `${LUA_HELPERS}${LEDGER_LUA_HELPERS}
local before = ARGV[3]
local now = ARGV[4]
hdel_buckets(KEYS[3], redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. before))
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. before)
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', before)) do
  redis.call('UNLINK', ARGV[1] .. 'w:' .. member)
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', before)
for _, member in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
  if redis.call('EXISTS', ARGV[1] .. 'w:' .. member) == 0 then redis.call('ZREM', KEYS[5], member) end
end
for _, gid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', before)) do
  local g = ARGV[1] .. 'g:' .. gid
  local f = redis.call('HMGET', g, 'm', 'k')
  if f[1] then redis.call('ZREM', KEYS[8], f[1]) end
  if f[2] then redis.call('HDEL', KEYS[10], f[2]) end
  redis.call('UNLINK', g)
end
redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', before)
hdel_all(KEYS[1], redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
local left = redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[4]) + redis.call('ZCARD', KEYS[5])
  + redis.call('ZCARD', KEYS[6]) + redis.call('ZCARD', KEYS[9])
if left == 0 then
  redis.call('UNLINK', KEYS[1], KEYS[3], KEYS[8], KEYS[10])
  redis.call('SREM', KEYS[7], ARGV[2])
end
return left
`
