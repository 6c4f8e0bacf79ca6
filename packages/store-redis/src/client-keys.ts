import { hashSlot, slotTag } from './cluster-slot.js'
import { escapeKeyPart } from './escape-key-part.js'
import { orderedClientId } from './ordered-client-id.js'
import { unescapeKeyPart } from './unescape-key-part.js'

/**
 * The Redis keys of one client. Every key carries the client's hash tag `{escapedClientId}`, so all of
 * them live in one Cluster slot and one script can touch them together; the slot's client index
 * carries a tag chosen to hash to that same slot.
 */
export interface ClientKeys {
  /** The escaped client id: the hash tag's content and the member in the slot's client index. */
  readonly id: string
  /** `<prefix>{<id>}:`, the start of every key of the client. */
  readonly base: string
  /** Hash: ledger bucket start → net credits; `<start>:b` → fromBalance, `<start>:o` → overage. */
  readonly ledger: string
  /** Sorted set of ledger bucket starts (score = start), for range reads without scanning the hash. */
  readonly ledgerIndex: string
  /** Sorted set of the client's window counters: member `<duration>:<start>`, score = window end. */
  readonly counterIndex: string
  /** Hash: idempotency key → the first answer (`used` values, comma-separated, then its credit outcome). */
  readonly idempotency: string
  /** Sorted set of idempotency keys, score = expiry (epoch ms). */
  readonly idempotencyIndex: string
  /** Sorted set of refund keys, score = expiry (epoch ms). */
  readonly refunds: string
  /** Set of the escaped ids of every client with data in this hash slot (walked by `purge`). */
  readonly slotClients: string
  /**
   * Sorted set of the client's live grants (not voided, credits left) in spending order: score =
   * expiry (`+inf`: none), member = `liveGrantMember`. A grant itself is the hash `<base>g:<grant key id>`.
   */
  readonly liveGrants: string
  /** Sorted set of every grant of the client (voided and spent ones too), score = expiry: for `purge`. */
  readonly allGrants: string
  /** Hash: escaped grant idempotency key → grant key id. */
  readonly grantKeys: string
  /** The client's member in the usage-scan index (`orderedClientId`). */
  readonly scanMember: string
}

/** The counter key of one window: `<base>w:<duration>:<start>`. */
export function counterKey(keys: ClientKeys, duration: string, start: number): string {
  return `${keys.base}w:${duration}:${start}`
}

/** The key of the client index of hash slot `slot`. */
export function slotClientsKey(prefix: string, slot: number): string {
  return `${prefix}{${slotTag(slot)}}:clients`
}

/** The hash of one grant: `<base>g:<grant key id>`. */
export function grantKey(keys: ClientKeys, grantKeyId: string): string {
  return `${keys.base}g:${grantKeyId}`
}

/** The keys of `clientId` under `prefix` (which holds no `{` or `}`, see the store options). */
export function clientKeys(prefix: string, clientId: string): ClientKeys {
  return keysOfEscaped(prefix, escapeKeyPart(clientId), clientId)
}

/**
 * The keys of a client known by its escaped id (a member of a slot's client index); `clientId`, the
 * id itself, when the caller has it at hand.
 */
export function keysOfEscaped(prefix: string, id: string, clientId = unescapeKeyPart(id)): ClientKeys {
  const base = `${prefix}{${id}}:`
  return {
    id,
    base,
    ledger: `${base}l`,
    ledgerIndex: `${base}lx`,
    counterIndex: `${base}wx`,
    idempotency: `${base}i`,
    idempotencyIndex: `${base}ix`,
    refunds: `${base}r`,
    slotClients: slotClientsKey(prefix, hashSlot(id)),
    liveGrants: `${base}gs`,
    allGrants: `${base}ga`,
    grantKeys: `${base}gk`,
    scanMember: orderedClientId(clientId),
  }
}
