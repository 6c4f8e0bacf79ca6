import type { Fetcher } from '../fetch-json.js'

/** One call made to a {@link FakeFetcher}, answered by the test when it chooses. */
export interface FakeCall {
  readonly url: string
  readonly signal: AbortSignal
  resolve(body: unknown): void
  reject(error: Error): void
}

/** A fetcher whose calls are recorded and stay pending until the test settles them. */
export interface FakeFetcher {
  readonly fetcher: Fetcher
  readonly calls: FakeCall[]
  /** The most recent call (throws when there is none). */
  last(): FakeCall
}

/** Creates a {@link FakeFetcher}; each call rejects with an `AbortError` when its signal aborts. */
export function fakeFetcher(): FakeFetcher {
  const calls: FakeCall[] = []
  const fetcher: Fetcher = (url, { signal }) =>
    new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
      calls.push({ url, signal, resolve, reject })
    })
  return {
    fetcher,
    calls,
    last() {
      const call = calls.at(-1)
      if (call === undefined) throw new Error('the fetcher was not called')
      return call
    },
  }
}
