/**
 * Response headers in any common shape: a fetch `Headers` (or anything with a `get(name)` method,
 * e.g. axios `AxiosHeaders`), or a plain object such as Node's `IncomingHttpHeaders` or axios's
 * `response.headers`, whose keys are matched case-insensitively.
 */
export type HeadersLike =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | number | readonly string[] | undefined>>

/**
 * Reads one header from {@link HeadersLike}, case-insensitively. Repeated values are joined with
 * `", "` (the HTTP rule for list fields). `undefined` when absent.
 */
export function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (typeof headers.get === 'function') {
    const value = (headers as { get(name: string): string | null | undefined }).get(name)
    return value ?? undefined
  }
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted || value === undefined || value === null) continue
    if (Array.isArray(value)) return value.map(String).join(', ')
    return String(value)
  }
  return undefined
}
