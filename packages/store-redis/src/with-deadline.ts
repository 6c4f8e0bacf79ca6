/**
 * Settles like `promise`, or rejects with an `Error` naming `what` when `promise` has not settled after
 * `ms` milliseconds. node-redis's own per-command `timeout` stops counting once a command is written,
 * so a server that accepted a command and then hangs (paused, swapping, a partition without a reset)
 * would keep callers waiting; this deadline covers the whole round trip.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from Redis to ${what} within ${ms} ms`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
