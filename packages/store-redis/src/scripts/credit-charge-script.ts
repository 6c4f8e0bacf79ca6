import { GRANTED_AT_DIGITS } from '../grant-ids.js'
import { CHARGE_LUA_HELPERS } from './charge-lua-helpers.js'
import { LUA_HELPERS } from './lua-helpers.js'

/** How many keys precede the counter keys in {@link CREDIT_CHARGE_SCRIPT}. */
export const CREDIT_CHARGE_FIXED_KEYS = 7
/** How many arguments precede the per-window arguments in {@link CREDIT_CHARGE_SCRIPT}. */
export const CREDIT_CHARGE_FIXED_ARGS = 8
/**
 * Arguments per window in {@link CREDIT_CHARGE_SCRIPT}: limit (-1 = unlimited), ttl ms, index member,
 * end, overflow (0 none, 1 'balance', 2 'bill'), overage limit (-1 = unlimited).
 */
export const CREDIT_CHARGE_ARGS_PER_WINDOW = 6

/**
 * A charge with overflow windows, atomically, in one script run: the slower path beside `CHARGE_SCRIPT`,
 * which stays the fast path of every charge without overflow.
 *
 * KEYS: as `CHARGE_SCRIPT` (idempotency hash, idempotency index, ledger, ledger index, counter index,
 * slot client index), then the client's live-grant set, then one counter per window. ARGV: as
 * `CHARGE_SCRIPT` (cost, at, ledger bucket start, idempotency key, its expiry, escaped client id, stale
 * cutoff, key base), then per window the {@link CREDIT_CHARGE_ARGS_PER_WINDOW} values.
 *
 * The decision mirrors core's `planCreditCharge` (packages/core/src/plan-credit-charge.ts) exactly,
 * with `hasRoom` as `cost <= limit - used` and `excessOver` as written there, in doubles like JavaScript:
 * 1. a window without overflow needs room for `cost`, a 'bill' window room within `limit + overageLimit`,
 *    else the charge is rejected by 'quota';
 * 2. the excess is the largest part of `cost` past an overflow window's limit;
 * 3. 'bill': the excess is overage. 'balance': the spendable grants (live, `effectiveAt <= at < expiresAt`,
 *    in spending order) must hold it, else the charge is rejected by 'balance'; they are spent in order.
 * Every check runs before the first write (Redis does not roll a script back).
 *
 * Answers `{allowed, replayed, outcome}`, the outcome as `used,...|fromBalance|overage|balance|spent|rejectedBy`
 * with `spent` as `grantKeyId=credits,...` and `balance` empty when no window overflows into the balance.
 * An allowed charge's outcome (without `rejectedBy`) is what the idempotency record keeps.
 */
export const CREDIT_CHARGE_SCRIPT = `${LUA_HELPERS}${CHARGE_LUA_HELPERS}
local cost = tonumber(ARGV[1])
local at = tonumber(ARGV[2])
local key = ARGV[4]
local stored = stored_answer(key, at)
if stored then return {1, 1, stored} end
local F = ${CREDIT_CHARGE_FIXED_KEYS}
local n = #KEYS - F
local function arg(i, k) return tonumber(ARGV[${CREDIT_CHARGE_FIXED_ARGS} + ${CREDIT_CHARGE_ARGS_PER_WINDOW} * (i - 1) + k]) end
local function num(x) return string.format('%.0f', x) end
-- core's excessOver: the part of cost that does not fit in a window with used of limit
local function excess_over(u, limit)
  local room = limit - u
  if room >= cost then return 0 end
  if room <= 0 then return cost end
  return cost - room
end
local used = {}
local excess = 0
local mode = 0
local quota_full = false
for i = 1, n do
  local u = tonumber(redis.call('GET', KEYS[F + i]) or '0')
  used[i] = u
  local limit = arg(i, 1)
  local overflow = arg(i, 5)
  if overflow == 0 then
    if limit >= 0 and cost > limit - u then quota_full = true end
  else
    mode = overflow
    local over = arg(i, 6)
    if overflow == 2 and limit >= 0 and over >= 0 and cost > (limit + over) - u then quota_full = true end
    if limit >= 0 then excess = math.max(excess, excess_over(u, limit)) end
  end
end
local grants = {}
local available = 0
if mode == 1 then
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[7], '(' .. ARGV[2], '+inf')) do
    local g = redis.call('HMGET', ARGV[8] .. 'g:' .. string.sub(m, ${GRANTED_AT_DIGITS + 1}), 'r', 'e')
    local r = tonumber(g[1] or '0')
    if r > 0 and tonumber(g[2]) <= at then
      grants[#grants + 1] = {m, r}
      available = available + r
    end
  end
end
local balance = ''
if mode == 1 then balance = num(available) end
local function outcome(fb, ov, bal, spent, rejected_by)
  local u = {}
  for i = 1, n do u[i] = num(used[i]) end
  return table.concat(u, ',') .. '|' .. num(fb) .. '|' .. num(ov) .. '|' .. bal .. '|' .. spent .. '|' .. rejected_by
end
if quota_full then return {0, 0, outcome(0, 0, balance, '', 'quota')} end
local from_balance = 0
local overage = 0
if mode ~= 1 then
  overage = excess
elseif excess > available then
  return {0, 0, outcome(0, 0, balance, '', 'balance')}
else
  from_balance = excess
  balance = num(available - excess)
end
local spent = {}
local left = from_balance
for _, g in ipairs(grants) do
  if left == 0 then break end
  local c = math.min(left, g[2])
  if c > 0 then
    local gid = string.sub(g[1], ${GRANTED_AT_DIGITS + 1})
    redis.call('HINCRBY', ARGV[8] .. 'g:' .. gid, 'r', num(-c))
    if c == g[2] then redis.call('ZREM', KEYS[7], g[1]) end
    spent[#spent + 1] = gid .. '=' .. num(c)
  end
  left = left - c
end
charge_counters(used, n, F, ${CREDIT_CHARGE_FIXED_ARGS}, ${CREDIT_CHARGE_ARGS_PER_WINDOW}, cost)
if redis.call('HINCRBY', KEYS[3], ARGV[3], cost) == cost then redis.call('ZADD', KEYS[4], ARGV[3], ARGV[3]) end
if from_balance > 0 then redis.call('HINCRBY', KEYS[3], ARGV[3] .. ':b', num(from_balance)) end
if overage > 0 then redis.call('HINCRBY', KEYS[3], ARGV[3] .. ':o', num(overage)) end
local answer = outcome(from_balance, overage, balance, table.concat(spent, ','), '')
if key ~= '' then remember_answer(key, answer) end
redis.call('SADD', KEYS[6], ARGV[6])
return {1, 0, answer}
`
