/**
 * Lua shared by the two charge scripts (`CHARGE_SCRIPT` and `CREDIT_CHARGE_SCRIPT`), which lay out
 * their first keys and arguments alike: KEYS[1] idempotency hash, KEYS[2] its expiry index, KEYS[5]
 * the counter index; ARGV[2] the charge's instant, ARGV[5] the key's expiry, ARGV[7] the stale
 * cutoff, ARGV[8] the key base; each window's arguments start with limit, ttl ms, index member, end.
 * Needs `LUA_HELPERS`.
 *
 * - `stored_answer(key, at)`: the answer stored under idempotency key `key` ('' = none) while it is
 *   valid at `at`, else a false value.
 * - `charge_counters(used, n, first, args, per, cost)`: adds `cost` to the `n` counters
 *   `KEYS[first + i]` and sets `used[i]` to their new values; a counter it creates gets its ttl and an
 *   index entry (window `i`'s arguments from `ARGV[args + per * (i - 1) + 1]`), and then up to 8 index
 *   entries of windows that ended before the cutoff and are gone are dropped. Answers whether it
 *   created one.
 * - `remember_answer(key, answer)`: stores `answer` under `key` until its expiry and drops up to 16
 *   keys that expired at the charge's instant.
 */
export const CHARGE_LUA_HELPERS = `
local function stored_answer(key, at)
  if key == '' then return false end
  local expiry = redis.call('ZSCORE', KEYS[2], key)
  if expiry and tonumber(expiry) > at then return redis.call('HGET', KEYS[1], key) end
  return false
end
local function charge_counters(used, n, first, args, per, cost)
  local created = false
  for i = 1, n do
    local counter = KEYS[first + i]
    local v = redis.call('INCRBY', counter, cost)
    used[i] = v
    if v == cost then
      local a = args + per * (i - 1)
      redis.call('PEXPIRE', counter, ARGV[a + 2])
      redis.call('ZADD', KEYS[5], ARGV[a + 4], ARGV[a + 3])
      created = true
    end
  end
  if created then
    local stale = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[7], 'LIMIT', 0, 8)
    for _, member in ipairs(stale) do
      if redis.call('EXISTS', ARGV[8] .. 'w:' .. member) == 0 then redis.call('ZREM', KEYS[5], member) end
    end
  end
  return created
end
local function remember_answer(key, answer)
  redis.call('HSET', KEYS[1], key, answer)
  redis.call('ZADD', KEYS[2], ARGV[5], key)
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, 16)
  if #expired > 0 then
    hdel_all(KEYS[1], expired)
    redis.call('ZREM', KEYS[2], unpack(expired))
  end
end
`
