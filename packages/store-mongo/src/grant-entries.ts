import { compareGrants, isSpendable, type StoredGrant } from '@x/api-billing-core'
import { double } from './counter-documents.js'
import type { CounterDocument, GrantEntry } from './store-documents.js'

// Pure functions over the grants kept in a client's counter document (`grants`, `grantKeys`).

/**
 * The field under `grants` that holds grant `id`: `g` and the id's UTF-8 bytes in base64url, because a
 * field name cannot hold every string (no `.`, no leading `$`) and an update path must name it.
 */
export function grantField(id: string): string {
  return `g${Buffer.from(id, 'utf8').toString('base64url')}`
}

/** The field under `grantKeys` that holds the grant id made with idempotency key `key` (see {@link grantField}). */
export function grantKeyField(key: string): string {
  return `k${Buffer.from(key, 'utf8').toString('base64url')}`
}

/** A grant as the counter document keeps it (counts as BSON doubles, absent values as `null`). */
export function toGrantEntry(grant: StoredGrant, idempotencyKey: string | undefined): GrantEntry {
  return {
    id: grant.id,
    credits: double(grant.credits),
    remaining: double(grant.remaining),
    effectiveAt: grant.effectiveAt,
    expiresAt: grant.expiresAt ?? null,
    grantedAt: grant.grantedAt,
    note: grant.note ?? null,
    idempotencyKey: idempotencyKey ?? null,
    voided: false,
  }
}

/** The grant an entry holds, as the store contract hands it out. */
export function fromGrantEntry(entry: GrantEntry): StoredGrant {
  return {
    id: entry.id,
    credits: entry.credits,
    remaining: entry.remaining,
    effectiveAt: entry.effectiveAt,
    expiresAt: entry.expiresAt ?? undefined,
    grantedAt: entry.grantedAt,
    note: entry.note ?? undefined,
  }
}

/** The entries of `doc` (none when `null`) that are not voided, as grants, in spending order. */
function liveEntries(doc: CounterDocument | null): StoredGrant[] {
  const grants: StoredGrant[] = []
  for (const entry of Object.values(doc?.grants ?? {})) if (!entry.voided) grants.push(fromGrantEntry(entry))
  return grants.sort(compareGrants)
}

/**
 * The grants `listGrants` answers: not voided, with credits left and not expired at `now` (pending
 * ones included), in spending order (`compareGrants`).
 */
export function listedGrants(doc: CounterDocument | null, now: number): StoredGrant[] {
  return liveEntries(doc).filter((g) => g.remaining > 0 && (g.expiresAt === undefined || now < g.expiresAt))
}

/** The grants that may be spent at `at` (core's `isSpendable`, voided ones left out), in spending order. */
export function spendableGrants(doc: CounterDocument | null, at: number): StoredGrant[] {
  return liveEntries(doc).filter((g) => isSpendable(g, at))
}

/** The `grantsVersion` a conditional update requires: the value read, or "still none". */
export function grantsVersionFilter(doc: CounterDocument | null): Record<string, unknown> {
  const version = doc?.grantsVersion
  return { grantsVersion: version === undefined ? { $exists: false } : version }
}
