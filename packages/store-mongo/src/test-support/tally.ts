/**
 * A count that tests can wait on: `reach(n)` resolves as soon as `add()` has been called `n` times, so
 * a test waits for the event itself instead of sleeping and polling.
 */
export class Tally {
  private value = 0
  private readonly waiters: { readonly target: number; readonly resolve: () => void }[] = []

  /** How many times `add()` was called. */
  get count(): number {
    return this.value
  }

  /** Counts one more and wakes every waiter whose target is reached. */
  add(): void {
    this.value++
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as (typeof this.waiters)[number]
      if (this.value >= waiter.target) {
        this.waiters.splice(i, 1)
        waiter.resolve()
      }
    }
  }

  /** Resolves once the count is at least `target` (at once if it already is). */
  reach(target: number): Promise<void> {
    if (this.value >= target) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ target, resolve }))
  }
}
