import { createHash, timingSafeEqual } from 'node:crypto'
import type { Request } from 'express'
import { optionError } from './option-checks.js'
import type { UsageExportAccess } from './usage-export-handler.js'

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/**
 * An `authorize` function for `usageExportHandler` that admits a request whose `Authorization: Bearer …`
 * header carries one of `tokens` (e.g. a secret from the environment; several allow rotation). Tokens are
 * compared in constant time ({@link tokensEqual}) against every configured token, so the response time
 * tells nothing about how much of a guess was right. A missing, malformed or wrong token is
 * `'unauthenticated'` (401, as RFC 6750 answers an invalid token).
 * @throws TypeError at construction unless `tokens` is a non-empty string or a non-empty list of them.
 */
export function bearerTokenAuthorizer(
  tokens: string | readonly string[],
): (req: Request) => UsageExportAccess {
  const list = typeof tokens === 'string' ? [tokens] : tokens
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((t) => typeof t === 'string' && t.length > 0)
  ) {
    throw optionError(
      'bearerTokenAuthorizer',
      'tokens',
      'a non-empty token or list of non-empty tokens',
      tokens,
    )
  }
  const expected = list.map(digest)
  return (req) => {
    const presented = BEARER.exec(req.get('authorization') ?? '')?.[1]
    if (presented === undefined) return 'unauthenticated'
    const actual = digest(presented)
    let match = false
    for (const token of expected) match = timingSafeEqual(actual, token) || match
    return match ? 'allow' : 'unauthenticated'
  }
}

/**
 * Compares two secrets in time that depends on neither their contents nor how much of them matches: both
 * are hashed with SHA-256 first, so `timingSafeEqual` always compares 32 bytes (it would throw on, and a
 * length check would leak, different lengths).
 */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
