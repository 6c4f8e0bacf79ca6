import { CHARGE_LUA_HELPERS } from './charge-lua-helpers.js'
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
export const CHARGE_SCRIPT = `${LUA_HELPERS}${CHARGE_LUA_HELPERS}
local cost = tonumber(ARGV[1])
local at = tonumber(ARGV[2])
local key = ARGV[4]
local stored = stored_answer(key, at)
if stored then return {1, 1, stored} end
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
local indexed = charge_counters(used, n, ${CHARGE_FIXED_KEYS}, ${CHARGE_FIXED_ARGS}, ${CHARGE_ARGS_PER_WINDOW}, cost)
if redis.call('HINCRBY', KEYS[3], ARGV[3], cost) == cost then
  redis.call('ZADD', KEYS[4], ARGV[3], ARGV[3])
  indexed = true
end
if key ~= '' then
  local answer = {}
  for i = 1, n do answer[i] = string.format('%.0f', used[i]) end
  remember_answer(key, table.concat(answer, ','))
  indexed = true
end
if indexed then redis.call('SADD', KEYS[6], ARGV[6]) end
return {1, 0, unpack(used)}
`
