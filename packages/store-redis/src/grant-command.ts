import type { GrantRequest } from '@x/api-billing-core'
import type { ClientKeys } from './client-keys.js'
import { escapeKeyPart } from './escape-key-part.js'
import { grantKeyId, liveGrantMember } from './grant-ids.js'
import { scriptCommand } from './redis-connection.js'
import type { RedisScript } from './redis-script.js'

/** The whole grant-credits command for `request`, in the order the grant script reads it. */
export function grantCommand(script: RedisScript, keys: ClientKeys, request: GrantRequest): string[] {
  const { grant, idempotencyKey } = request
  const command = scriptCommand(script, [keys.grantKeys, keys.liveGrants, keys.allGrants, keys.slotClients])
  command.push(
    keys.base,
    grantKeyId(grant.id),
    liveGrantMember(grant.grantedAt, grant.id),
    grant.expiresAt === undefined ? '+inf' : String(grant.expiresAt),
    String(grant.credits),
    String(grant.remaining),
    String(grant.effectiveAt),
    grant.expiresAt === undefined ? '' : String(grant.expiresAt),
    String(grant.grantedAt),
    grant.note ?? '',
    grant.note === undefined ? '0' : '1',
    idempotencyKey === undefined ? '' : escapeKeyPart(idempotencyKey),
    keys.id,
  )
  return command
}
