/**
 * Stores a grant, once per idempotency key, in one script run.
 *
 * KEYS: grant-key hash, live-grant set, all-grant set, slot client index. ARGV: key base, grant key id,
 * live-grant member, expiry score (`+inf`: none), credits, remaining, effectiveAt, expiresAt ('' none),
 * grantedAt, note ('' with no note flag), note flag ('1' when there is a note), escaped idempotency key
 * ('' none), escaped client id.
 *
 * When the client has a grant made with the same idempotency key (or a grant with the same id), nothing
 * changes. Answers the grant as stored: `{grant key id, {c, r, e, x, t, n}}` (its hash fields; `n`
 * null without a note).
 */
export const GRANT_CREDITS_SCRIPT = `
local gid = ARGV[2]
if ARGV[12] ~= '' then
  local seen = redis.call('HGET', KEYS[1], ARGV[12])
  if seen and redis.call('EXISTS', ARGV[1] .. 'g:' .. seen) == 1 then gid = seen end
end
local g = ARGV[1] .. 'g:' .. gid
if redis.call('EXISTS', g) == 0 then
  redis.call('HSET', g, 'c', ARGV[5], 'r', ARGV[6], 'e', ARGV[7], 'x', ARGV[8], 't', ARGV[9], 'v', '0',
    'm', ARGV[3])
  if ARGV[11] == '1' then redis.call('HSET', g, 'n', ARGV[10]) end
  if ARGV[12] ~= '' then
    redis.call('HSET', g, 'k', ARGV[12])
    redis.call('HSET', KEYS[1], ARGV[12], gid)
  end
  if tonumber(ARGV[6]) > 0 then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) end
  redis.call('ZADD', KEYS[3], ARGV[4], gid)
  redis.call('SADD', KEYS[4], ARGV[13])
end
return {gid, redis.call('HMGET', g, 'c', 'r', 'e', 'x', 't', 'n')}
`
