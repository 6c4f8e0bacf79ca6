import type { QuotaDuration } from '@x/api-billing-core'

// The documents the store writes (layout version 3; see `legacy-layout.ts` for version 1 and
// `layout-migration.ts` for the steps `init()` takes from 1 and 2). Counts are BSON doubles: exact up to 2^53.

/** One window counter in a counter document. */
export interface SlotDocument {
  /** Window start, inclusive (epoch ms). */
  start: number
  /** Window end, exclusive (epoch ms). */
  end: number
  /** Credits charged in the window. */
  used: number
  /** Bumped on every change of this slot: conditional updates compare it to what they read. */
  version: number
}

/** The slots of one client, by duration. */
export type SlotsByDuration = Partial<Record<QuotaDuration, SlotDocument>>

/**
 * One prepaid grant, kept inside its client's counter document so that a credit charge changes the
 * windows and the grants it spends with one conditional update (see `credit-batches.ts`).
 */
export interface GrantEntry {
  /** The grant id the engine made. */
  id: string
  /** Credits granted. */
  credits: number
  /** Credits not spent yet: `0 <= remaining <= credits`. */
  remaining: number
  /** From when it may be spent (epoch ms). */
  effectiveAt: number
  /** When it can no longer be spent (epoch ms, exclusive); `null`: never. */
  expiresAt: number | null
  /** When it was granted (epoch ms). */
  grantedAt: number
  note: string | null
  /** The idempotency key it was granted with; `null`: none. */
  idempotencyKey: string | null
  /** A voided grant is never spent nor restored, and not listed. */
  voided: boolean
}

/**
 * The per-client counter document: the current and the previous window of every duration, and the
 * client's prepaid grants (layout 3).
 */
export interface CounterDocument {
  /** The client id (also the shard key). */
  _id: string
  current?: SlotsByDuration
  previous?: SlotsByDuration
  /** The client's grants by `grantField(id)` (an encoded id: field names cannot hold every string). */
  grants?: Record<string, GrantEntry>
  /** Grant ids by `grantKeyField(idempotencyKey)`: one grant per client and key. */
  grantKeys?: Record<string, string>
  /** The `expiresAt` of every grant that has one: lets `purge` find documents by index. */
  grantExpiries?: number[]
  /** Bumped on every change of `grants`: a credit charge's update requires the value it read. */
  grantsVersion?: number
}

/** A window older than a client's previous one (a late clock, or rolled out of the counter document). */
export interface ArchivedWindowDocument {
  /** `["clientId","duration",start]` */
  _id: string
  clientId: string
  duration: QuotaDuration
  start: number
  end: number
  used: number
  /** Never lower than the version of the slot it was copied from, and bumped on every change here. */
  version: number
}

/** Credits of one client in one 15-minute ledger bucket. */
export interface LedgerDocument {
  /** `["clientId",bucketStart]` */
  _id: string
  clientId: string
  /** Start of the bucket (epoch ms, a multiple of 15 minutes). */
  bucketStart: number
  credits: number
  /** The part of `credits` paid from grants (layout 3; absent in older documents: 0). */
  fromBalance?: number
  /** The part of `credits` billed as overage (layout 3; absent in older documents: 0). */
  overage?: number
}

/** The credit part of a stored charge answer (`CreditOutcome` of an allowed charge, BSON-ready). */
export interface StoredCreditOutcome {
  fromBalance: number
  overage: number
  /** `null` for `undefined` (no `'balance'` window). */
  balance: number | null
  spent: { grantId: string; credits: number }[]
}

/** An idempotency key: pending while its charge runs, then done with the answer. */
export interface IdempotencyKeyDocument {
  /** `["clientId","key"]` */
  _id: string
  clientId: string
  key: string
  /** When the key may be forgotten (epoch ms). */
  expiresAt: number
  state: 'pending' | 'done'
  /** The claim's owner token: only the request holding it completes or releases the key. */
  owner: string
  /** Until when a pending key's owner is presumed alive (epoch ms, process clock); unset once done. */
  leaseUntil?: number
  /** The answer of the charge made under the key: each window's `used` after it. Set once done. */
  used?: number[]
  /** The credit outcome of a charge with overflow windows (layout 3). Set once done. */
  credit?: StoredCreditOutcome
}

/** A refund key: the refund it names was applied. */
export interface RefundKeyDocument {
  /** `["clientId","refundKey"]` */
  _id: string
  clientId: string
  expiresAt: number
}

/** A lock on one client's writes, taken by inserting it (the unique `_id` makes that atomic). */
export interface LockDocument {
  /** The client id. */
  _id: string
  owner: string
  /** Until when the holder is presumed alive (epoch ms, process clock). */
  leaseUntil: number
}

/** The document that records which layout the collections are in. */
export interface LayoutDocument {
  _id: 'layout'
  version: number
}

/** A collision-free string `_id` made of several parts. */
export function compoundId(...parts: readonly (string | number)[]): string {
  return JSON.stringify(parts)
}
