import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import type { QuotaDuration } from './quota-duration.js'

/**
 * The number the memory store keeps in place of a duration (its position in `QUOTA_DURATIONS`:
 * `second` is 0, `year` is 6), so that a client's counters fit in an array of numbers.
 *
 * @throws InvalidArgumentError when `duration` is not a `QuotaDuration`.
 */
export function memoryDurationRank(duration: QuotaDuration): number {
  switch (duration) {
    case 'second':
      return 0
    case 'minute':
      return 1
    case 'hour':
      return 2
    case 'day':
      return 3
    case 'week':
      return 4
    case 'month':
      return 5
    case 'year':
      return 6
    default:
      throw new InvalidArgumentError(
        'windows[].duration',
        `expected a QuotaDuration, got ${String(duration)}`,
      )
  }
}
