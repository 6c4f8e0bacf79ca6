import type { CreditOutcome, GrantSpend, ScannedBucket, StoredGrant } from '@x/api-billing-core'
import { num, type Row } from './raw-query.js'

/** A text column as a string: MySQL hands `varbinary` values over as Buffers of their UTF-8 bytes. */
export function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value)
}

/** A grant row (the columns of `CreditStatements`' grant selects) as a {@link StoredGrant}. */
export function grantOf(row: Row): StoredGrant {
  return {
    id: text(row.id),
    credits: num(row.credits),
    remaining: num(row.remaining),
    effectiveAt: num(row.effective_at),
    expiresAt: row.expires_at == null ? undefined : num(row.expires_at),
    grantedAt: num(row.granted_at),
    note: row.note == null ? undefined : text(row.note),
  }
}

/** A ledger row of a usage scan as a {@link ScannedBucket}. */
export function scannedOf(row: Row): ScannedBucket {
  return {
    clientId: text(row.client_id),
    start: num(row.bucket_start),
    credits: num(row.credits),
    fromBalance: num(row.from_balance),
    overage: num(row.overage),
  }
}

/**
 * The credit outcome of an allowed charge as its idempotency record keeps it: JSON with every character
 * past ASCII escaped, so any column character set holds it unchanged.
 */
export function encodeCredit(credit: CreditOutcome): string {
  const { fromBalance, overage, balance, spent } = credit
  return JSON.stringify({ fromBalance, overage, balance: balance ?? null, spent }).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** The credit outcome {@link encodeCredit} stored, as the first answer gave it. */
export function decodeCredit(stored: unknown): CreditOutcome {
  const parsed = JSON.parse(text(stored)) as {
    fromBalance: number
    overage: number
    balance: number | null
    spent: GrantSpend[]
  }
  return {
    fromBalance: parsed.fromBalance,
    overage: parsed.overage,
    balance: parsed.balance ?? undefined,
    spent: parsed.spent.map((s) => ({ grantId: s.grantId, credits: s.credits })),
    rejectedBy: undefined,
  }
}
