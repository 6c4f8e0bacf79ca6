import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { assertCreditAmount, assertCredits, describeValue } from './validate.js'

/** How far from a whole number a scaled amount may be and still count as one (floating-point noise). */
const TOLERANCE = 1e-9

/**
 * The engine's `creditScale`: how many stored units one credit is. Stores keep whole numbers of units
 * (exact); the engine's API speaks credits. With the default scale 1, credits are whole numbers.
 */
export class CreditScale {
  /** Units per credit: a positive safe integer (default 1). */
  readonly factor: number

  constructor(factor: unknown = 1) {
    if (typeof factor !== 'number' || !Number.isSafeInteger(factor) || factor < 1) {
      throw new InvalidArgumentError(
        'options.creditScale',
        `expected a positive whole number of units per credit (e.g. 1000 for milli-credits), got ${describeValue(factor)}`,
      )
    }
    this.factor = factor
  }

  /**
   * `credits` (a finite, non-negative number with at most the scale's precision) in stored units.
   * @throws InvalidArgumentError for anything else, naming `argument`.
   */
  toUnits(credits: unknown, argument: string): number {
    if (this.factor === 1) {
      assertCredits(credits, argument)
      return credits
    }
    assertCreditAmount(credits, argument)
    const scaled = credits * this.factor
    const units = Math.round(scaled)
    if (Math.abs(scaled - units) > TOLERANCE * Math.max(1, scaled)) {
      throw new InvalidArgumentError(
        argument,
        `${credits} is finer than the engine's creditScale of ${this.factor} units per credit`,
      )
    }
    if (!Number.isSafeInteger(units)) {
      throw new InvalidArgumentError(argument, `${credits} credits are too many to count exactly`)
    }
    return units
  }

  /** Stored units back in credits (`Infinity` stays `Infinity`). */
  toCredits(units: number): number {
    return this.factor === 1 ? units : units / this.factor
  }
}

/** The scale of an engine that does not set `creditScale`. */
export const WHOLE_CREDITS = new CreditScale(1)
