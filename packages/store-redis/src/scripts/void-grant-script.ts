/**
 * Marks a grant voided and takes it out of the live set: it is listed, spent and restored no more.
 * KEYS: live-grant set. ARGV: key base, grant key id. Answers 1, or 0 when it was missing or voided.
 */
export const VOID_GRANT_SCRIPT = `
local g = ARGV[1] .. 'g:' .. ARGV[2]
local f = redis.call('HMGET', g, 'v', 'm')
if not f[1] or f[1] == '1' then return 0 end
redis.call('HSET', g, 'v', '1')
redis.call('ZREM', KEYS[1], f[2])
return 1
`
