/**
 * The room check every store applies: may a window that has `used` credits of `limit` take `cost` more?
 * `UNLIMITED` (`Infinity`) always has room. Written as `cost <= limit - used` rather than
 * `used + cost <= limit`, so that it stays exact for safe integers near 2^53, where the sum could round.
 * A store whose check runs inside its database (SQL, Lua) mirrors exactly this comparison.
 */
export function hasRoom(used: number, cost: number, limit: number): boolean {
  return cost <= limit - used
}
