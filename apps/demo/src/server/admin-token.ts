import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * The admin routes' bearer token, checked in constant time: both sides are hashed with SHA-256 and the
 * equal-length digests compared with `crypto.timingSafeEqual`, so the time taken tells nothing about how
 * much of a guess was right, nor about the token's length.
 */
export class AdminToken {
  private readonly expected: Buffer | undefined

  /** `token` is `ADMIN_TOKEN`; without one (or an empty one) nothing is authorised. */
  constructor(token: string | undefined) {
    this.expected = token === undefined || token === '' ? undefined : sha256(`Bearer ${token}`)
  }

  /** Whether an `Authorization` header value is `Bearer <token>`; always `false` when no token is set. */
  authorizes(authorization: string | undefined): boolean {
    if (this.expected === undefined || authorization === undefined) return false
    return timingSafeEqual(sha256(authorization), this.expected)
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
