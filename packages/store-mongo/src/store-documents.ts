import type { QuotaDuration } from '@x/api-billing-core'

/** One window counter: start, end (epoch ms), used credits, and a version bumped on every change. */
export interface SlotDocument {
  s: number
  e: number
  u: number
  n: number
}

/** The per-client document: current (`w`) and previous (`p`) window of every duration. */
export interface CounterDocument {
  _id: string
  w?: Partial<Record<QuotaDuration, SlotDocument>>
  p?: Partial<Record<QuotaDuration, SlotDocument>>
}

/** A window older than a client's previous one (a late clock, or rolled out of the counter document). */
export interface ArchivedWindowDocument {
  _id: string
  c: string
  d: QuotaDuration
  s: number
  e: number
  u: number
  v: number
}

/** Credits of one client in one 15-minute ledger bucket. */
export interface LedgerDocument {
  _id: string
  c: string
  b: number
  n: number
}

/** An idempotency key: pending while its charge runs, then done with the answer. */
export interface IdempotencyKeyDocument {
  _id: string
  c: string
  k: string
  x: number
  st: 'pending' | 'done'
  t: string
  l?: number
  used?: number[]
}

/** A refund key: the refund it names was applied. */
export interface RefundKeyDocument {
  _id: string
  c: string
  x: number
}

/** A lock on one client's writes, taken by inserting it (the unique `_id` makes that atomic). */
export interface LockDocument {
  _id: string
  t: string
  l: number
}

/** A collision-free string `_id` made of several parts. */
export function compoundId(...parts: readonly (string | number)[]): string {
  return JSON.stringify(parts)
}
