import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChargeResult, CreditOutcome, IdempotencyClaim } from '@x/api-billing-core'
import type { Collection } from 'mongodb'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { compoundId, type IdempotencyKeyDocument, type StoredCreditOutcome } from './store-documents.js'

/** What {@link IdempotencyClaims.claim} found: the stored answer of an earlier charge, or the key is ours. */
export type ClaimOutcome =
  | { readonly replay: ChargeResult; readonly token?: undefined }
  | { readonly token: string; readonly replay?: undefined }

/**
 * The idempotency-claim protocol on the keys collection. A charge with a key first inserts the key as
 * `pending` under a unique `_id` (client, key) with a fresh owner token; only the request whose insert
 * won charges. It then either completes the key with its answer (`done`) or, when refused, deletes it
 * (a refused request may be retried with the same key). A request that meets a pending key waits for the
 * answer, and takes the key over once its lease has run out (its owner died). A key whose `expiresAt`
 * is at or before the charge's `at` counts as unseen.
 */
export class IdempotencyClaims {
  constructor(
    private readonly keys: Collection<IdempotencyKeyDocument>,
    private readonly leaseMs: number,
  ) {}

  /** Creates the indexes deletes and purges use, one per call (see `MongoUsageStore.init`). */
  async createIndexes(): Promise<void> {
    await this.keys.createIndex({ clientId: 1, key: 1 })
    await this.keys.createIndex({ expiresAt: 1 })
  }

  /**
   * Claims `claim.key` for a charge at `at`, or finds the answer to replay. `ownerGone`: a pending key
   * met now cannot belong to a live request (the caller holds the client's lock), so it is taken over
   * at once instead of after its lease.
   */
  async claim(
    clientId: string,
    claim: IdempotencyClaim,
    at: number,
    ownerGone: boolean,
  ): Promise<ClaimOutcome> {
    const _id = compoundId(clientId, claim.key)
    const token = randomUUID()
    const pending = () => ({
      clientId,
      key: claim.key,
      expiresAt: claim.expiresAt,
      state: 'pending' as const,
      owner: token,
      leaseUntil: Date.now() + this.leaseMs,
    })
    for (let attempt = 0; ; attempt++) {
      try {
        await this.keys.insertOne({ _id, ...pending() })
        return { token }
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
      const seen = await this.keys.findOne({ _id })
      if (seen === null) continue
      if (seen.expiresAt <= at) {
        await this.keys.deleteOne({ _id, owner: seen.owner })
        continue
      }
      if (seen.state === 'done') return { replay: replayOf(seen) }
      if (ownerGone || (seen.leaseUntil ?? 0) <= Date.now()) {
        const taken = await this.keys.updateOne(
          { _id, owner: seen.owner, state: 'pending' },
          { $set: pending() },
        )
        if (taken.matchedCount === 1) return { token }
        continue
      }
      await sleep(Math.min(2 + attempt, 25))
    }
  }

  /**
   * Stores the answer of the charge made under the claim `token` (with its credit outcome, for a charge
   * with overflow windows): later repeats replay it.
   */
  async complete(
    clientId: string,
    key: string,
    token: string,
    used: readonly number[],
    credit?: CreditOutcome,
  ): Promise<void> {
    const done =
      credit === undefined ? { used: [...used] } : { used: [...used], credit: storedCredit(credit) }
    await this.keys.updateOne(
      { _id: compoundId(clientId, key), owner: token },
      { $set: { state: 'done', ...done }, $unset: { leaseUntil: '' } },
    )
  }

  /** Forgets the claim `token` after its charge was refused, so the key may be charged again. */
  async release(clientId: string, key: string, token: string): Promise<void> {
    await this.keys.deleteOne({ _id: compoundId(clientId, key), owner: token })
  }

  /** Forgets a completed key (its charge was refunded): a retry with it is charged anew. */
  async forgetDone(clientId: string, key: string): Promise<void> {
    await this.keys.deleteOne({ _id: compoundId(clientId, key), state: 'done' })
  }

  /** Removes every key of a client. */
  async delete(clientId: string): Promise<void> {
    await this.keys.deleteMany({ clientId })
  }

  /** Removes every key that expired at or before `now`. */
  async purge(now: number): Promise<void> {
    await this.keys.deleteMany({ expiresAt: { $lte: now } })
  }
}

/** The credit outcome of an allowed charge as a key document keeps it (`undefined` balance as `null`). */
function storedCredit(credit: CreditOutcome): StoredCreditOutcome {
  return {
    fromBalance: credit.fromBalance,
    overage: credit.overage,
    balance: credit.balance ?? null,
    spent: credit.spent.map(({ grantId, credits }) => ({ grantId, credits })),
  }
}

/** The replay of a completed key: its stored answer, with its credit outcome when it has one. */
function replayOf(seen: IdempotencyKeyDocument): ChargeResult {
  const used = seen.used ?? []
  const stored = seen.credit
  if (stored === undefined || stored === null) return { allowed: true, used, replayed: true }
  const credit: CreditOutcome = {
    fromBalance: stored.fromBalance,
    overage: stored.overage,
    balance: stored.balance ?? undefined,
    spent: stored.spent.map(({ grantId, credits }) => ({ grantId, credits })),
    rejectedBy: undefined,
  }
  return { allowed: true, used, replayed: true, credit }
}
