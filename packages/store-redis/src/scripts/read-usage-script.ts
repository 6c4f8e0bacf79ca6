/**
 * The ledger buckets of one client whose start lies in `[from, to)`, ordered by start, in one read.
 *
 * KEYS: ledger, ledger index. ARGV: from, to. Answers `{start1, credits1, start2, credits2, ...}` as
 * strings, leaving out buckets refunded down to zero.
 */
export const READ_USAGE_SCRIPT = `
local starts = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '(' .. ARGV[2])
local out = {}
for i = 1, #starts, 1000 do
  local last = math.min(i + 999, #starts)
  local credits = redis.call('HMGET', KEYS[1], unpack(starts, i, last))
  for j = i, last do
    local c = credits[j - i + 1]
    if c and tonumber(c) > 0 then
      out[#out + 1] = starts[j]
      out[#out + 1] = c
    end
  end
end
return out
`
