import {
  type ChargeRequest,
  type ChargeResult,
  compareGrants,
  type GrantRequest,
  type RefundRequest,
  type ScannedBucket,
  type StoredGrant,
  type UsageScan,
} from '@x/api-billing-core'
import { grantOf, scannedOf } from './credit-rows.js'
import type { CreditStatements } from './credit-statements.js'
import { chargeWithCredits, type Decided, refundWithCredits } from './credit-transactions.js'
import type { SqlRunner } from './sql-runner.js'

/** Where an engine runs the credit operations. */
export interface CreditSessions {
  /** Runs `work` in one write transaction, committed or rolled back as it decides; retried on conflicts. */
  transaction<T>(work: (r: SqlRunner) => Promise<Decided<T>>): Promise<T>
  /** Runs `work`, whose statements each stand alone (a write is its own transaction). */
  statements<T>(write: boolean, work: (r: SqlRunner) => Promise<T>): Promise<T>
}

/**
 * The credit operations of every dialect — charges with overflow windows, refunds, grants and usage
 * scans — written once on a dialect's {@link CreditStatements} and {@link CreditSessions}.
 */
export class CreditOperations {
  constructor(
    private readonly sessions: CreditSessions,
    private readonly sql: CreditStatements,
  ) {}

  /** A charge with overflow windows: one transaction (see `chargeWithCredits`). */
  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.sessions.transaction((r) => chargeWithCredits(r, this.sql, request))
  }

  /** A refund, with or without `restore` and `overage`: one transaction (see `refundWithCredits`). */
  refund(request: RefundRequest): Promise<boolean> {
    return this.sessions.transaction((r) => refundWithCredits(r, this.sql, request))
  }

  /**
   * Inserts the grant unless the client has one with its id or its idempotency key (the insert then
   * changes nothing; a racing duplicate waits for the winner's unique-key entry), then reads back the
   * grant of that key (or id) as stored.
   */
  grantCredits(request: GrantRequest): Promise<StoredGrant> {
    const { clientId, grant, idempotencyKey } = request
    return this.sessions.statements(true, async (r) => {
      await r.run(this.sql.insertGrant, [
        clientId,
        grant.id,
        grant.credits,
        grant.remaining,
        grant.effectiveAt,
        grant.expiresAt ?? null,
        grant.grantedAt,
        grant.note ?? null,
        idempotencyKey ?? null,
      ])
      const [row] =
        idempotencyKey === undefined
          ? await r.all(this.sql.grantById, [clientId, grant.id])
          : await r.all(this.sql.grantByKey, [clientId, idempotencyKey])
      if (row === undefined) throw new Error(`grant ${grant.id} was not stored`)
      return grantOf(row)
    })
  }

  /** The client's live grants at `now`, in core's spending order (`compareGrants`). */
  listGrants(clientId: string, now: number): Promise<readonly StoredGrant[]> {
    return this.sessions.statements(false, async (r) =>
      Array.from(await r.all(this.sql.liveGrants, [clientId, now]), grantOf).sort(compareGrants),
    )
  }

  /** Marks the grant voided; `true` when it existed and was not voided. */
  voidGrant(clientId: string, grantId: string): Promise<boolean> {
    return this.sessions.statements(
      true,
      async (r) => (await r.run(this.sql.voidGrant, [clientId, grantId])) === 1,
    )
  }

  /** One page of every client's non-empty ledger buckets in `[from, to)`, by `(clientId, start)`. */
  scanUsage(scan: UsageScan): Promise<readonly ScannedBucket[]> {
    return this.sessions.statements(false, async (r) => Array.from(await this.sql.scan(r, scan), scannedOf))
  }
}
