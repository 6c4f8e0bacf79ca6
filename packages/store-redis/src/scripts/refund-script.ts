/**
 * The refund, atomically, in one script run.
 *
 * KEYS: idempotency hash, idempotency index, ledger, refund index, slot client index, then one counter
 * per window. ARGV: credits, ledger bucket start, refund key, its expiry, idempotency key to forget
 * ('' = none), escaped client id.
 *
 * A refund key already recorded answers 0 and changes nothing. Otherwise records it, forgets the
 * idempotency key, and takes `credits` off every existing counter and the ledger bucket, never below
 * zero (a counter that expired or was never charged stays absent). Answers 1.
 */
export const REFUND_SCRIPT = `
if redis.call('ZSCORE', KEYS[4], ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[6])
if ARGV[5] ~= '' then
  redis.call('HDEL', KEYS[1], ARGV[5])
  redis.call('ZREM', KEYS[2], ARGV[5])
end
local credits = tonumber(ARGV[1])
for i = 6, #KEYS do
  local u = tonumber(redis.call('GET', KEYS[i]) or '0')
  if u > 0 then redis.call('DECRBY', KEYS[i], string.format('%.0f', math.min(u, credits))) end
end
local b = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if b > 0 then redis.call('HINCRBY', KEYS[3], ARGV[2], string.format('%.0f', -math.min(b, credits))) end
return 1
`
