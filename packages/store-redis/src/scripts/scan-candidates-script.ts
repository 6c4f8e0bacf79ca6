/**
 * Candidates for the next page of a usage scan: from every indexed day in `[first day, last day]`, the
 * first `count` ordered client ids strictly after `after` ('' = from the start), each day's in order
 * (the caller merges them). KEYS: the day list. ARGV: first day, last day, after, count, index key base
 * (`<prefix>{usage-scan}:`; the day sets share the day list's slot).
 */
export const SCAN_CANDIDATES_SCRIPT = `
local min = '-'
if ARGV[3] ~= '' then min = '(' .. ARGV[3] end
local out = {}
for _, day in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2])) do
  for _, id in ipairs(redis.call('ZRANGEBYLEX', ARGV[5] .. 'day:' .. day, min, '+', 'LIMIT', 0, ARGV[4])) do
    out[#out + 1] = id
  end
end
return out
`
