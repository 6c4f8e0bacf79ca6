/** Number of hash slots in Redis Cluster. */
export const CLUSTER_SLOTS = 16_384

const CRC16_TABLE = buildCrc16Table()

function buildCrc16Table(): Uint16Array {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
}

/**
 * The Redis Cluster hash slot of a hash tag's content (CRC16-XMODEM of its UTF-8 bytes, modulo 16384),
 * the same number `CLUSTER KEYSLOT` answers for any key whose tag is `{tag}`.
 */
export function hashSlot(tag: string): number {
  let crc = 0
  for (const byte of Buffer.from(tag, 'utf8')) {
    crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] as number)
  }
  return crc % CLUSTER_SLOTS
}

let slotTags: readonly string[] | undefined

/**
 * For every hash slot, a short tag (base-36 digits) that hashes to it: the index of clients in a slot
 * lives under that tag, so a charge can update it in the same script as the client's own keys. Built
 * once, on first use (about 170 000 CRCs, a few milliseconds).
 */
export function slotTag(slot: number): string {
  slotTags ??= buildSlotTags()
  return slotTags[slot] as string
}

function buildSlotTags(): readonly string[] {
  const tags: string[] = new Array(CLUSTER_SLOTS)
  let missing = CLUSTER_SLOTS
  for (let i = 0; missing > 0; i++) {
    const tag = i.toString(36)
    const slot = hashSlot(tag)
    if (tags[slot] === undefined) {
      tags[slot] = tag
      missing--
    }
  }
  return tags
}
