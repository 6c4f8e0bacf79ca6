import { tokensEqual } from '@x/api-billing-express'

/**
 * The admin routes' bearer token, checked in constant time with Express binding's `tokensEqual` (both
 * sides hashed with SHA-256, the digests compared with `crypto.timingSafeEqual`), so the time taken tells
 * nothing about how much of a guess was right, nor about the token's length.
 */
export class AdminToken {
  private readonly expected: string | undefined

  /** `token` is `ADMIN_TOKEN`; without one (or an empty one) nothing is authorised. */
  constructor(token: string | undefined) {
    this.expected = token === undefined || token === '' ? undefined : `Bearer ${token}`
  }

  /** Whether an `Authorization` header value is `Bearer <token>`; always `false` when no token is set. */
  authorizes(authorization: string | undefined): boolean {
    if (this.expected === undefined || authorization === undefined) return false
    return tokensEqual(authorization, this.expected)
  }
}
