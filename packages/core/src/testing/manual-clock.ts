/**
 * A clock that only moves when told to, for tests that cross window boundaries without sleeping.
 * Pass `manualClock.now` as the engine's `clock`. Imports nothing, so it works under any test runner.
 */
export class ManualClock {
  private current: number

  /** Starts at `start` (a Date or an ISO-8601 string). */
  constructor(start: Date | string) {
    this.current = new Date(start).getTime()
  }

  /** The clock function to inject: returns the current instant as a new `Date`. */
  readonly now: () => Date = () => new Date(this.current)

  /** Moves the clock to `at`. Moving backwards is allowed (it models a lagging instance). */
  set(at: Date | string): void {
    this.current = new Date(at).getTime()
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms
  }
}
