/**
 * A client id as a member of the usage-scan index: the hex digits of its UTF-8 bytes (a lone UTF-16
 * surrogate, which UTF-8 cannot carry, as the 3 bytes WTF-8 gives it). Redis orders sorted-set members
 * of equal score byte-wise, and hex keeps that order, so the index lists clients in the byte-wise order
 * of their UTF-8 ids (the order `scanUsage` promises), one to one, in plain ASCII.
 */
export function orderedClientId(clientId: string): string {
  let hex = ''
  for (let i = 0; i < clientId.length; i++) {
    let cp = clientId.charCodeAt(i)
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < clientId.length) {
      const low = clientId.charCodeAt(i + 1)
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00)
        i++
      }
    }
    hex += utf8Hex(cp)
  }
  return hex
}

/** The client id an {@link orderedClientId} member stands for. */
export function clientIdOfOrdered(member: string): string {
  const bytes = Buffer.from(member, 'hex')
  let id = ''
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number
    const size = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4
    let cp = size === 1 ? b : b & (0xff >> (size + 1))
    for (let j = 1; j < size; j++) cp = (cp << 6) | ((bytes[i + j] as number) & 0x3f)
    id += String.fromCodePoint(cp)
    i += size
  }
  return id
}

function utf8Hex(cp: number): string {
  const bytes =
    cp < 0x80
      ? [cp]
      : cp < 0x800
        ? [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)]
        : cp < 0x10000
          ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
          : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}
