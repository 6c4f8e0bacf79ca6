/**
 * Resolves with the first value `condition` yields (anything but `undefined`), asking again every 20 ms: for
 * a test that waits for a server to reach a state (a query blocked on a lock). Rejects after `timeoutMs`.
 */
export async function eventually<T>(condition: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await condition()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
