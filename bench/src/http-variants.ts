/** The servers the HTTP suite compares, first the baseline. */
export const HTTP_VARIANTS = [
  'express',
  'ours-memory',
  'ours-sqlite',
  'ours-memory-no-headers',
  'express-rate-limit',
  'rlf-memory',
  'ours-redis',
  'express-rate-limit-redis',
] as const

/** One of {@link HTTP_VARIANTS}. */
export type HttpVariant = (typeof HTTP_VARIANTS)[number]

/** The API key every bench request sends (`x-api-key`). */
export const HTTP_CLIENT_KEY = 'bench-key'

/** What each variant is called in the table, and whether it is ours. */
export const HTTP_VARIANT_LABELS: Readonly<Record<HttpVariant, { name: string; ours: boolean }>> = {
  express: { name: 'bare Express 5', ours: false },
  'ours-memory': { name: 'billingMiddleware, memory store, both header sets', ours: true },
  'ours-sqlite': { name: 'billingMiddleware, SQLite store, both header sets', ours: true },
  'ours-memory-no-headers': {
    name: 'billingMiddleware, memory store, headers off (cost of the 5 headers)',
    ours: true,
  },
  'express-rate-limit': { name: 'express-rate-limit 8 (draft-8 + legacy headers)', ours: false },
  'rlf-memory': { name: 'rate-limiter-flexible memory middleware', ours: false },
  'ours-redis': { name: 'billingMiddleware, Redis store, both header sets', ours: true },
  'express-rate-limit-redis': {
    name: 'express-rate-limit 8 + rate-limit-redis (draft-8 + legacy headers)',
    ours: false,
  },
}

/** Narrows a command-line argument to a variant. */
export function isHttpVariant(value: unknown): value is HttpVariant {
  return (HTTP_VARIANTS as readonly unknown[]).includes(value)
}
