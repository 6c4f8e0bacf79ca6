/**
 * The ledger buckets of one client whose start lies in `[from, to)`, ordered by start, in one read.
 *
 * KEYS: ledger, ledger index. ARGV: from, to. Answers `{start1, credits1, fromBalance1, overage1, ...}`
 * as strings (fromBalance and overage `false`, a null, when never set), leaving out buckets refunded
 * down to zero.
 */
export const READ_USAGE_SCRIPT = `
local starts = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '(' .. ARGV[2])
local out = {}
for _, start in ipairs(starts) do
  local v = redis.call('HMGET', KEYS[1], start, start .. ':b', start .. ':o')
  if v[1] and tonumber(v[1]) > 0 then
    out[#out + 1] = start
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
    out[#out + 1] = v[3]
  end
end
return out
`
