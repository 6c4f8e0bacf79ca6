/**
 * The order of client ids in `UsageStore.scanUsage`: byte-wise over their UTF-8 encoding, which is the
 * order of their Unicode code points (a binary SQL collation, MongoDB's and Redis's string order).
 * JavaScript's `<` compares UTF-16 code units instead, and disagrees for characters past U+FFFF
 * (`'🙂' < '\uFFFF'` in JavaScript, but not in UTF-8). Negative when `a` comes first.
 */
export function compareClientIds(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // Only where a surrogate meets a code unit at or above U+E000 do the two orders differ.
    const xHigh = x >= 0xd800 && x <= 0xdfff
    const yHigh = y >= 0xd800 && y <= 0xdfff
    if (xHigh !== yHigh && (xHigh ? y : x) >= 0xe000) return xHigh ? 1 : -1
    return x - y
  }
  return a.length - b.length
}
