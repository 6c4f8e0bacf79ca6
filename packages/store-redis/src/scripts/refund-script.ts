/** How many keys precede the counter keys in {@link REFUND_SCRIPT}. */
export const REFUND_FIXED_KEYS = 6

/**
 * The refund, atomically, in one script run.
 *
 * KEYS: idempotency hash, idempotency index, ledger, refund index, slot client index, live-grant set,
 * then one counter per window. ARGV: credits, ledger bucket start, refund key, its expiry, idempotency
 * key to forget ('' = none), escaped client id, fromBalance to take off the bucket (the sum of the
 * restores), overage to take off it, now, key base, then pairs of grant key id and credits to restore.
 *
 * A refund key already recorded answers 0 and changes nothing. Otherwise records it, forgets the
 * idempotency key, and takes `credits` off every existing counter and the ledger bucket (and its
 * fromBalance and overage), never below zero (a counter that expired or was never charged stays
 * absent). Each restore goes back to its grant unless the grant is gone, voided or expired at `now`,
 * never above the grant's credits; a grant with credits again rejoins the live set. Answers 1.
 */
export const REFUND_SCRIPT = `
if redis.call('ZSCORE', KEYS[4], ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[6])
if ARGV[5] ~= '' then
  redis.call('HDEL', KEYS[1], ARGV[5])
  redis.call('ZREM', KEYS[2], ARGV[5])
end
local function num(x) return string.format('%.0f', x) end
local credits = tonumber(ARGV[1])
for i = ${REFUND_FIXED_KEYS} + 1, #KEYS do
  local u = tonumber(redis.call('GET', KEYS[i]) or '0')
  if u > 0 then redis.call('DECRBY', KEYS[i], num(math.min(u, credits))) end
end
local function take(field, amount)
  local b = tonumber(redis.call('HGET', KEYS[3], field) or '0')
  if b > 0 and amount > 0 then redis.call('HINCRBY', KEYS[3], field, num(-math.min(b, amount))) end
end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then
  take(ARGV[2], credits)
  take(ARGV[2] .. ':b', tonumber(ARGV[7]))
  take(ARGV[2] .. ':o', tonumber(ARGV[8]))
end
local now = tonumber(ARGV[9])
for j = 11, #ARGV, 2 do
  local g = ARGV[10] .. 'g:' .. ARGV[j]
  local f = redis.call('HMGET', g, 'c', 'r', 'x', 'v', 'm')
  if f[1] and f[4] ~= '1' and (f[3] == '' or tonumber(f[3]) > now) then
    local r = math.min(tonumber(f[1]), math.max(0, tonumber(f[2]) + tonumber(ARGV[j + 1])))
    redis.call('HSET', g, 'r', num(r))
    if r > 0 then
      local score = '+inf'
      if f[3] ~= '' then score = f[3] end
      redis.call('ZADD', KEYS[6], score, f[5])
    end
  end
end
return 1
`
