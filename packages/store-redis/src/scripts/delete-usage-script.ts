import { LEDGER_LUA_HELPERS } from './ledger-lua-helpers.js'
import { LUA_HELPERS } from './lua-helpers.js'

/**
 * Deletes a client's usage in one script run. Grants are not usage: they stay.
 *
 * KEYS: idempotency hash, idempotency index, ledger, ledger index, counter index, refund index, slot
 * client index, then the live-grant set, the all-grant set and the grant-key hash (as `maintenanceKeys`
 * lists them). ARGV: key base, escaped client id, then either nothing (the whole client: every counter,
 * bucket and key, and its entry in the slot's client index unless it still has grants) or `from`, `to`
 * (the ledger buckets and window counters whose start lies in `[from, to)`).
 */
export const DELETE_USAGE_SCRIPT = `${LUA_HELPERS}${LEDGER_LUA_HELPERS}
local members = redis.call('ZRANGE', KEYS[5], 0, -1)
if ARGV[3] == nil then
  for _, member in ipairs(members) do redis.call('UNLINK', ARGV[1] .. 'w:' .. member) end
  redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
  if redis.call('ZCARD', KEYS[9]) == 0 then redis.call('SREM', KEYS[7], ARGV[2]) end
  return 1
end
local from = tonumber(ARGV[3])
local to = tonumber(ARGV[4])
hdel_buckets(KEYS[3], redis.call('ZRANGEBYSCORE', KEYS[4], ARGV[3], '(' .. ARGV[4]))
redis.call('ZREMRANGEBYSCORE', KEYS[4], ARGV[3], '(' .. ARGV[4])
for _, member in ipairs(members) do
  local start = tonumber(string.match(member, ':(%-?%d+)$'))
  if start >= from and start < to then
    redis.call('UNLINK', ARGV[1] .. 'w:' .. member)
    redis.call('ZREM', KEYS[5], member)
  end
end
return 1
`
