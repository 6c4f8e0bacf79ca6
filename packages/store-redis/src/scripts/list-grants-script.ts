import { GRANTED_AT_DIGITS } from '../grant-ids.js'

/**
 * The client's live grants not expired at `now`, pending ones included, in spending order.
 *
 * KEYS: live-grant set. ARGV: now, key base. Answers `{gid1, c1, r1, e1, x1, t1, n1, gid2, ...}`
 * (each grant's key id and hash fields; `n` null without a note, `x` '' without an expiry).
 */
export const LIST_GRANTS_SCRIPT = `
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  local gid = string.sub(m, ${GRANTED_AT_DIGITS + 1})
  local f = redis.call('HMGET', ARGV[2] .. 'g:' .. gid, 'c', 'r', 'e', 'x', 't', 'n', 'v')
  if f[2] and tonumber(f[2]) > 0 and f[7] ~= '1' then
    out[#out + 1] = gid
    for i = 1, 6 do out[#out + 1] = f[i] end
  end
end
return out
`
