import type { QuotaDuration } from '@x/api-billing-core'
import type { Document } from 'mongodb'
import { double } from './counter-documents.js'
import type {
  ArchivedWindowDocument,
  CounterDocument,
  IdempotencyKeyDocument,
  LedgerDocument,
  LockDocument,
  RefundKeyDocument,
  SlotsByDuration,
} from './store-documents.js'

// Layout version 1 (package 0.1.0), which named document fields by letters, and how each of its
// documents reads in today's layout (version 2). Pure functions; `migrateLayout` applies them in `init()`.

/** A version-1 window counter: `s`/`e` start/end, `u` used, `n` version. */
export interface LegacySlot {
  s: number
  e: number
  u: number
  n: number
}

type LegacySlots = Partial<Record<QuotaDuration, LegacySlot>>

/** A version-1 counter document: `w` the current window of each duration, `p` the previous one. */
export interface LegacyCounterDocument {
  _id: string
  w?: LegacySlots
  p?: LegacySlots
}

/** A version-1 archived window: `c` client, `d` duration, `s`/`e` start/end, `u` used, `v` version. */
export interface LegacyArchivedWindowDocument {
  _id: string
  c: string
  d: QuotaDuration
  s: number
  e: number
  u: number
  v: number
}

/** A version-1 ledger bucket: `c` client, `b` bucket start, `n` credits. */
export interface LegacyLedgerDocument {
  _id: string
  c: string
  b: number
  n: number
}

/** A version-1 idempotency key: `c` client, `k` key, `x` expiry, `st` state, `t` owner, `l` lease end. */
export interface LegacyIdempotencyKeyDocument {
  _id: string
  c: string
  k: string
  x: number
  st: 'pending' | 'done'
  t: string
  l?: number
  used?: number[]
}

/** A version-1 refund key: `c` client, `x` expiry. */
export interface LegacyRefundKeyDocument {
  _id: string
  c: string
  x: number
}

/** A version-1 lock: `t` owner, `l` lease end. */
export interface LegacyLockDocument {
  _id: string
  t: string
  l: number
}

/**
 * How one collection moves from version 1 to 2: which documents are still in version 1, what each
 * becomes, and the filter that matches it only while it is still the document that was read (so a
 * concurrent change is never overwritten; that document is converted again on the next pass).
 */
export interface LegacyConversion<Old extends Document, New extends Document> {
  readonly isLegacy: Record<string, unknown>
  readonly convert: (old: Old) => New
  readonly unchanged: (old: Old) => Record<string, unknown>
  /** Names of the version-1 indexes, dropped after the documents moved. */
  readonly legacyIndexes: readonly string[]
}

function slots(legacy: LegacySlots | undefined): SlotsByDuration {
  const converted: SlotsByDuration = {}
  for (const [duration, s] of Object.entries(legacy ?? {}) as [QuotaDuration, LegacySlot][]) {
    converted[duration] = { start: s.s, end: s.e, used: double(s.u), version: double(s.n) }
  }
  return converted
}

function slotVersions(field: 'w' | 'p', legacy: LegacySlots | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(legacy ?? {}).map(([d, s]) => [`${field}.${d}.n`, s.n]))
}

/** Counter documents: `w`/`p` become `current`/`previous`, each slot spelled out. */
export const LEGACY_COUNTERS: LegacyConversion<LegacyCounterDocument, CounterDocument> = {
  isLegacy: { $or: [{ w: { $exists: true } }, { p: { $exists: true } }] },
  convert: (old) => ({ _id: old._id, current: slots(old.w), previous: slots(old.p) }),
  unchanged: (old) => ({
    _id: old._id,
    current: { $exists: false },
    ...slotVersions('w', old.w),
    ...slotVersions('p', old.p),
  }),
  legacyIndexes: [],
}

/** Archived windows. */
export const LEGACY_ARCHIVED_WINDOWS: LegacyConversion<LegacyArchivedWindowDocument, ArchivedWindowDocument> =
  {
    isLegacy: { c: { $exists: true } },
    convert: (old) => ({
      _id: old._id,
      clientId: old.c,
      duration: old.d,
      start: old.s,
      end: old.e,
      used: double(old.u),
      version: double(old.v),
    }),
    unchanged: (old) => ({ _id: old._id, c: old.c, v: old.v }),
    legacyIndexes: ['c_1_d_1_s_1', 'e_1'],
  }

/** Ledger buckets. */
export const LEGACY_LEDGER: LegacyConversion<LegacyLedgerDocument, LedgerDocument> = {
  isLegacy: { c: { $exists: true } },
  convert: (old) => ({ _id: old._id, clientId: old.c, bucketStart: old.b, credits: double(old.n) }),
  unchanged: (old) => ({ _id: old._id, c: old.c, n: old.n }),
  legacyIndexes: ['c_1_b_1', 'b_1'],
}

/** Idempotency keys. */
export const LEGACY_IDEMPOTENCY_KEYS: LegacyConversion<LegacyIdempotencyKeyDocument, IdempotencyKeyDocument> =
  {
    isLegacy: { c: { $exists: true } },
    convert: (old) => ({
      _id: old._id,
      clientId: old.c,
      key: old.k,
      expiresAt: old.x,
      state: old.st,
      owner: old.t,
      ...(old.l === undefined ? {} : { leaseUntil: old.l }),
      ...(old.used === undefined ? {} : { used: old.used }),
    }),
    unchanged: (old) => ({ _id: old._id, c: old.c, st: old.st, t: old.t }),
    legacyIndexes: ['c_1_k_1', 'x_1'],
  }

/** Refund keys. */
export const LEGACY_REFUND_KEYS: LegacyConversion<LegacyRefundKeyDocument, RefundKeyDocument> = {
  isLegacy: { c: { $exists: true } },
  convert: (old) => ({ _id: old._id, clientId: old.c, expiresAt: old.x }),
  unchanged: (old) => ({ _id: old._id, c: old.c }),
  legacyIndexes: ['c_1', 'x_1'],
}

/** Locks (held only while a write runs; converted so that a lease left by a dead process still ends). */
export const LEGACY_LOCKS: LegacyConversion<LegacyLockDocument, LockDocument> = {
  isLegacy: { t: { $exists: true } },
  convert: (old) => ({ _id: old._id, owner: old.t, leaseUntil: old.l }),
  unchanged: (old) => ({ _id: old._id, t: old.t }),
  legacyIndexes: [],
}
