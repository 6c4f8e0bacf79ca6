/** Charge ids are counted in blocks of this many; the counter's low part is looked up, not converted. */
const BLOCK = 256
/** `'00'` … `'ff'`: the last two hex digits of a charge id. */
const LOW_DIGITS: readonly string[] = Array.from({ length: BLOCK }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * Makes the `chargeId` of each charged decision: this engine's random 96-bit prefix and a counter in
 * hex (`<24 hex digits>-<counter>`), unique across instances without a UUID per charge. The counter's
 * last two digits come from a table and the rest is converted once per 256 charges, so an id costs one
 * string concatenation (a number-to-string conversion per charge cost more than building the decision).
 */
export class DecisionChargeIds {
  private readonly prefix = randomPrefix()
  private block = -1
  /** The prefix and the counter's digits above the last two. */
  private blockPrefix = ''
  private low = BLOCK

  /** The next charge id; never the same twice for this object. */
  next(): string {
    if (this.low === BLOCK) this.nextBlock()
    return this.blockPrefix + (LOW_DIGITS[this.low++] as string)
  }

  private nextBlock(): void {
    this.block++
    this.blockPrefix = this.prefix + this.block.toString(16)
    this.low = 0
  }
}

/** 96 random bits, so charge ids from different engine instances never collide. */
function randomPrefix(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12))
  return `${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}-`
}
