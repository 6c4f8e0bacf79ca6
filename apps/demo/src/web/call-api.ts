/** The rate-limit headers the dashboard shows for a response. */
export const SHOWN_HEADERS = [
  'RateLimit-Policy',
  'RateLimit',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
] as const

/** One API call as the dashboard shows it. */
export interface ApiCall {
  readonly id: number
  readonly path: string
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
  readonly at: Date
}

let nextId = 1

/** Calls a demo endpoint with the client's API key and keeps what the dashboard shows. */
export async function callApi(path: string, apiKey: string): Promise<ApiCall> {
  const response = await fetch(path, { headers: { 'X-API-Key': apiKey, accept: 'application/json' } })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { id: nextId++, path, status: response.status, headers: response.headers, body, at: new Date() }
}

/** A fetcher for the billing routes that sends the client's API key. */
export function keyedFetcher(apiKey: string) {
  return async (url: string, init: { readonly signal: AbortSignal }): Promise<unknown> => {
    const response = await fetch(url, {
      signal: init.signal,
      headers: { 'X-API-Key': apiKey, accept: 'application/json' },
    })
    const body: unknown = await response.json()
    if (!response.ok)
      throw new Error(`${response.status}: ${(body as { detail?: string }).detail ?? response.statusText}`)
    return body
  }
}
