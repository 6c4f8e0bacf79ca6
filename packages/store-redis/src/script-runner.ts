import type { RedisScript } from './redis-script.js'

/**
 * Runs a script command built by `scriptCommand` (falling back to `EVAL` on `NOSCRIPT`) and rejects with
 * `StoreUnavailableError` naming `context` when Redis fails: the store's one way of running a script.
 */
export type ScriptRunner = (script: RedisScript, command: string[], context: string) => Promise<unknown>
