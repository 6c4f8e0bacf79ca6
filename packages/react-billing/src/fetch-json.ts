import { HttpError } from './http-error.js'

/**
 * Loads a URL and resolves with its parsed JSON body, honouring `signal` (abort must reject). Inject
 * one to add credentials or headers, to use another HTTP client, or to fake the server in tests. The
 * body is checked for the expected shape afterwards, so it may resolve with `unknown`.
 */
export type Fetcher = (url: string, init: { readonly signal: AbortSignal }) => Promise<unknown>

function problemMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { detail, title } = body as { detail?: unknown; title?: unknown }
  if (typeof detail === 'string' && detail !== '') return detail
  if (typeof title === 'string' && title !== '') return title
  return undefined
}

/**
 * The default {@link Fetcher}: global `fetch` with `Accept: application/json` and same-origin
 * credentials (cookies). A non-2xx answer rejects with an {@link HttpError} carrying the status and
 * the problem body.
 */
export const fetchJson: Fetcher = async (url, { signal }) => {
  const response = await fetch(url, {
    signal,
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  })
  const text = await response.text()
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch (error) {
    if (response.ok) throw new Error(`Invalid JSON from ${url}`, { cause: error })
  }
  if (!response.ok) throw new HttpError(response.status, body, problemMessage(body))
  return body
}
