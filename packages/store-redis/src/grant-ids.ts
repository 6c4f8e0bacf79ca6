/** Added to `grantedAt` (as a bigint, exactly) so that every safe integer becomes non-negative. */
const GRANTED_AT_OFFSET = 2n ** 53n
/** Digits of the encoded `grantedAt` at the start of a live-grant member. */
export const GRANTED_AT_DIGITS = 17

/**
 * A grant id as the store keeps it (hash key suffix, member, script argument): four hex digits per
 * UTF-16 code unit. One to one, ASCII, and ordered exactly like the ids themselves in JavaScript
 * (`compareGrants` compares them with `<`).
 */
export function grantKeyId(grantId: string): string {
  let hex = ''
  for (let i = 0; i < grantId.length; i++) hex += grantId.charCodeAt(i).toString(16).padStart(4, '0')
  return hex
}

/** The grant id a {@link grantKeyId} stands for. */
export function grantIdOfKey(keyId: string): string {
  let id = ''
  for (let i = 0; i + 4 <= keyId.length; i += 4)
    id += String.fromCharCode(Number.parseInt(keyId.slice(i, i + 4), 16))
  return id
}

/**
 * The member of a grant in its client's live-grant sorted set, whose score is `expiresAt` (`+inf` for
 * none): `grantedAt` as 17 digits, then the {@link grantKeyId}. Equal scores order members byte-wise,
 * so the set lists grants in core's spending order (`compareGrants`): expiry, then `grantedAt`, then id.
 */
export function liveGrantMember(grantedAt: number, grantId: string): string {
  return String(BigInt(grantedAt) + GRANTED_AT_OFFSET).padStart(GRANTED_AT_DIGITS, '0') + grantKeyId(grantId)
}
