/**
 * `work`, or a rejection naming `what` when it has not settled within `ms`. The timer is cleared as
 * soon as `work` settles, so nothing waits for it.
 */
export async function withDeadline<V>(work: Promise<V>, ms: number, what: string): Promise<V> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}
