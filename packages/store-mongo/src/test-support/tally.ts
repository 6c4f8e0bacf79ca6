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

  /**
   * Resolves once the count is at least `target` (at once if it already is). With `failAfterMs`, rejects
   * if that has not happened by then, naming `what` and the count: a bound for a test that would
   * otherwise hang past its timeout with its loops still running, never a wait that a passing test uses.
   */
  reach(target: number, failAfterMs?: number, what = 'the count'): Promise<void> {
    if (this.value >= target) return Promise.resolve()
    const reached = new Promise<void>((resolve) => this.waiters.push({ target, resolve }))
    if (failAfterMs === undefined) return reached
    let timer: ReturnType<typeof setTimeout> | undefined
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} was still ${this.value} of ${target} after ${failAfterMs} ms`)),
        failAfterMs,
      )
    })
    return Promise.race([reached, bound]).finally(() => clearTimeout(timer))
  }
}
