import { createHash } from 'node:crypto'

/** A Lua script and its SHA1 digest, the name `EVALSHA` knows it by. */
export interface RedisScript {
  readonly source: string
  readonly sha: string
}

/** Wraps Lua `source` as a {@link RedisScript}. */
export function redisScript(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}
