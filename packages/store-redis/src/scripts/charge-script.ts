import { LUA_HELPERS } from './lua-helpers.js'

/** How many keys precede the counter keys in {@link CHARGE_SCRIPT}. */
export const CHARGE_FIXED_KEYS = 6
/** How many arguments precede the per-window arguments in {@link CHARGE_SCRIPT}. */
export const CHARGE_FIXED_ARGS = 8
/** Arguments per window in {@link CHARGE_SCRIPT}: limit (-1 = unlimited), ttl ms, index member, end. */
export const CHARGE_ARGS_PER_WINDOW = 4

/**
 * The charge, atomically, in one script run.
 *
 * KEYS: idempotency hash, idempotency index, ledger, ledger index, counter index, slot client index,
 * then one counter per window. ARGV: cost, at, ledger bucket start, idempotency key ('' = none),
 * its expiry, escaped client id, stale cutoff (index entries ending before it may be trimmed), key
 * base, then per window: limit (-1 = unlimited), counter ttl (ms), index member, window end.
 *
 * Every check runs before the first write (Redis does not roll a script back): a live idempotency key
 * replays its answer; a window without room rejects with every window's `used` and nothing written.
 * The room check is core's `hasRoom`: unlimited always has room, else `cost <= limit - used`, which is
 * exact in Lua's doubles for every safe integer, as in JavaScript.
 *
 * Answers `{1, 1, 'u1,u2'}` (replayed), `{0, 0, u1, u2, ...}` (rejected) or `{1, 0, u1, u2, ...}`.
 */
export const CHARGE_SCRIPT = `${LUA_HELPERS}
local cost = tonumber(ARGV[1])
local at = tonumber(ARGV[2])
local key = ARGV[4]
if key ~= '' then
  local expiry = redis.call('ZSCORE', KEYS[2], key)
  if expiry and tonumber(expiry) > at then
    local answer = redis.call('HGET', KEYS[1], key)
    if answer then return {1, 1, answer} end
  end
end
local n = #KEYS - ${CHARGE_FIXED_KEYS}
local used = {}
local fits = true
for i = 1, n do
  local u = tonumber(redis.call('GET', KEYS[${CHARGE_FIXED_KEYS} + i]) or '0')
  used[i] = u
  local limit = tonumber(ARGV[${CHARGE_FIXED_ARGS} + ${CHARGE_ARGS_PER_WINDOW} * (i - 1) + 1])
  if limit >= 0 and cost > limit - u then fits = false end
end
if not fits then return {0, 0, unpack(used)} end
local indexed = false
local created = false
for i = 1, n do
  local counter = KEYS[${CHARGE_FIXED_KEYS} + i]
  local v = redis.call('INCRBY', counter, cost)
  used[i] = v
  if v == cost then
    local a = ${CHARGE_FIXED_ARGS} + ${CHARGE_ARGS_PER_WINDOW} * (i - 1)
    redis.call('PEXPIRE', counter, ARGV[a + 2])
    redis.call('ZADD', KEYS[5], ARGV[a + 4], ARGV[a + 3])
    created = true
  end
end
if created then
  indexed = true
  local stale = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[7], 'LIMIT', 0, 8)
  for _, member in ipairs(stale) do
    if redis.call('EXISTS', ARGV[8] .. 'w:' .. member) == 0 then redis.call('ZREM', KEYS[5], member) end
  end
end
if redis.call('HINCRBY', KEYS[3], ARGV[3], cost) == cost then
  redis.call('ZADD', KEYS[4], ARGV[3], ARGV[3])
  indexed = true
end
if key ~= '' then
  local answer = {}
  for i = 1, n do answer[i] = string.format('%.0f', used[i]) end
  redis.call('HSET', KEYS[1], key, table.concat(answer, ','))
  redis.call('ZADD', KEYS[2], ARGV[5], key)
  indexed = true
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, 16)
  if #expired > 0 then
    hdel_all(KEYS[1], expired)
    redis.call('ZREM', KEYS[2], unpack(expired))
  end
end
if indexed then redis.call('SADD', KEYS[6], ARGV[6]) end
return {1, 0, unpack(used)}
`
