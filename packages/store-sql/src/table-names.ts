import { InvalidArgumentError } from '@x/api-billing-core'
import type { SqlDialect } from './sql-dialect.js'

/** The five tables of a store, as quoted SQL identifiers, plus their bare names. */
export interface TableNames {
  readonly counters: string
  readonly ledger: string
  readonly idempotencyKeys: string
  readonly refundKeys: string
  /** Prepaid credit grants (migration `0006_credits`). */
  readonly grants: string
  readonly bare: {
    readonly counters: string
    readonly ledger: string
    readonly idempotencyKeys: string
    readonly refundKeys: string
    readonly grants: string
  }
}

const PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/

/**
 * Validates `prefix` (letters, digits and `_`, not starting with a digit, at most 40 characters, so
 * every table and index name stays within MySQL's and Postgres's identifier limits) and names the
 * tables, quoted for `dialect`.
 */
export function tableNames(prefix: string, dialect: SqlDialect): TableNames {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new InvalidArgumentError(
      'options.tablePrefix',
      `expected letters, digits and "_" (not starting with a digit, at most 40 characters), got ${JSON.stringify(prefix)}`,
    )
  }
  const bare = {
    counters: `${prefix}counters`,
    ledger: `${prefix}ledger`,
    idempotencyKeys: `${prefix}idempotency_keys`,
    refundKeys: `${prefix}refund_keys`,
    grants: `${prefix}grants`,
  }
  const q = (name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`)
  return {
    counters: q(bare.counters),
    ledger: q(bare.ledger),
    idempotencyKeys: q(bare.idempotencyKeys),
    refundKeys: q(bare.refundKeys),
    grants: q(bare.grants),
    bare,
  }
}
