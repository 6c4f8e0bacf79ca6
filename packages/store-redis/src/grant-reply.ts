import type { StoredGrant } from '@x/api-billing-core'
import { grantIdOfKey } from './grant-ids.js'
import { replyArray, replyNumber } from './reply-parsing.js'

/** Hash fields of a grant, in the order the grant scripts answer them: c, r, e, x, t, n. */
const FIELDS = 6

/** A grant from its key id and its fields `c, r, e, x, t, n` (`x` '' without expiry, `n` null without note). */
function grantOf(keyId: unknown, fields: readonly unknown[]): StoredGrant {
  const expiresAt = String(fields[3] ?? '')
  const note = fields[5]
  return {
    id: grantIdOfKey(String(keyId)),
    credits: replyNumber(fields[0]),
    remaining: replyNumber(fields[1]),
    effectiveAt: replyNumber(fields[2]),
    expiresAt: expiresAt === '' ? undefined : Number(expiresAt),
    grantedAt: replyNumber(fields[4]),
    note: note === null || note === undefined ? undefined : String(note),
  }
}

/** The grant-credits script's answer `{keyId, {fields}}` as the grant stored. */
export function storedGrant(reply: unknown): StoredGrant {
  const [keyId, fields] = replyArray(reply, 'grant')
  return grantOf(keyId, replyArray(fields, 'grant fields'))
}

/** The list-grants script's flat answer `{keyId, c, r, e, x, t, n, ...}` as grants, in its order. */
export function storedGrants(reply: unknown): StoredGrant[] {
  const values = replyArray(reply, 'grants')
  const grants: StoredGrant[] = []
  for (let i = 0; i + FIELDS < values.length; i += FIELDS + 1) {
    grants.push(grantOf(values[i], values.slice(i + 1, i + 1 + FIELDS)))
  }
  return grants
}
