import type { GrantRequest, GrantSpend, StoredGrant } from '@x/api-billing-core'
import type { Collection, Filter, UpdateFilter } from 'mongodb'
import { double } from './counter-documents.js'
import {
  fromGrantEntry,
  grantField,
  grantKeyField,
  grantsVersionFilter,
  listedGrants,
  toGrantEntry,
} from './grant-entries.js'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import { LOST_RACE, retryLostRaces } from './retry-lost-races.js'
import type { CounterDocument, GrantEntry } from './store-documents.js'

/**
 * A client's prepaid grants, kept in its counter document (`grants`, `grantKeys`, `grantExpiries`,
 * `grantsVersion`; see `store-documents.ts`). Every change is one conditional update of that document
 * that bumps `grantsVersion`, so a credit charge that read the grants applies only to the grants it read.
 */
export class ClientGrants {
  constructor(private readonly counters: Collection<CounterDocument>) {}

  /** Creates the index `purge` finds expired grants by (see `MongoUsageStore.init`). */
  async createIndexes(): Promise<void> {
    await this.counters.createIndex({ grantExpiries: 1 })
  }

  /**
   * Stores `request.grant` unless the client has a grant with the same id, or made with the same
   * idempotency key: then that grant is returned as stored. One upsert, matching only while neither
   * exists; a duplicate `_id` (the document existed, so the filter failed) is read to find the one
   * that stood in the way.
   */
  async grant(request: GrantRequest): Promise<StoredGrant> {
    const { clientId, grant, idempotencyKey } = request
    const path = `grants.${grantField(grant.id)}`
    const keyPath = idempotencyKey === undefined ? undefined : `grantKeys.${grantKeyField(idempotencyKey)}`
    const filter: Record<string, unknown> = { _id: clientId, [path]: { $exists: false } }
    const set: Record<string, unknown> = { [path]: toGrantEntry(grant, idempotencyKey) }
    if (keyPath !== undefined) {
      filter[keyPath] = { $exists: false }
      set[keyPath] = grant.id
    }
    const update: UpdateFilter<CounterDocument> = { $set: set, $inc: { grantsVersion: double(1) } }
    if (grant.expiresAt !== undefined) update.$push = { grantExpiries: grant.expiresAt }
    return retryLostRaces(`grant for client "${clientId}"`, async () => {
      try {
        await this.counters.updateOne(filter as Filter<CounterDocument>, update, { upsert: true })
        return grant
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
      const doc = await this.counters.findOne({ _id: clientId })
      const id = idempotencyKey === undefined ? grant.id : doc?.grantKeys?.[grantKeyField(idempotencyKey)]
      const existing = id === undefined ? undefined : doc?.grants?.[grantField(id)]
      return existing === undefined ? LOST_RACE : fromGrantEntry(existing)
    })
  }

  /** The client's listed grants at `now` (see `listedGrants`). */
  async list(clientId: string, now: number): Promise<StoredGrant[]> {
    const doc = await this.counters.findOne({ _id: clientId }, { projection: { grants: 1 } })
    return listedGrants(doc, now)
  }

  /** Marks a grant voided; `true` when it existed and was not voided. */
  async void(clientId: string, grantId: string): Promise<boolean> {
    const path = `grants.${grantField(grantId)}`
    const voided = await this.counters.updateOne(
      { _id: clientId, [`${path}.voided`]: false } as Filter<CounterDocument>,
      { $set: { [`${path}.voided`]: true }, $inc: { grantsVersion: double(1) } },
    )
    return voided.matchedCount === 1
  }

  /**
   * Gives back what `restore` names to each grant that exists, is not voided and has not expired at
   * `now`, never above its credits: `$inc` while that cannot pass them, else `$set` to them.
   */
  async restore(clientId: string, restore: readonly GrantSpend[], now: number): Promise<void> {
    for (const { grantId, credits } of restore) {
      if (credits > 0) await this.restoreOne(clientId, grantId, credits, now)
    }
  }

  /** The clients whose document holds a grant that expired at or before `before`. */
  async clientsWithGrantsExpiredBy(before: number): Promise<string[]> {
    const docs = await this.counters
      .find({ grantExpiries: { $lte: before } }, { projection: { _id: 1 } })
      .toArray()
    return docs.map((d) => d._id)
  }

  /**
   * Removes the client's grants that expired at or before `before` (and their idempotency keys); when
   * the grants changed since they were read, reads them again (`retryLostRaces`).
   */
  async purge(clientId: string, before: number): Promise<void> {
    await retryLostRaces(`grant purge for client "${clientId}"`, async () => {
      const doc = await this.counters.findOne(
        { _id: clientId },
        { projection: { grants: 1, grantsVersion: 1 } },
      )
      const unset: Record<string, ''> = {}
      const kept: number[] = []
      for (const [field, entry] of Object.entries(doc?.grants ?? {})) {
        if (entry.expiresAt === null || entry.expiresAt > before) {
          if (entry.expiresAt !== null) kept.push(entry.expiresAt)
          continue
        }
        unset[`grants.${field}`] = ''
        if (entry.idempotencyKey !== null) unset[`grantKeys.${grantKeyField(entry.idempotencyKey)}`] = ''
      }
      if (Object.keys(unset).length === 0) return undefined
      const purged = await this.counters.updateOne(
        { _id: clientId, ...grantsVersionFilter(doc) } as Filter<CounterDocument>,
        { $unset: unset, $set: { grantExpiries: kept }, $inc: { grantsVersion: double(1) } },
      )
      return purged.matchedCount === 1 ? undefined : LOST_RACE
    })
  }

  /** {@link restore} of one grant; when both conditional updates miss, reads again (`retryLostRaces`). */
  private async restoreOne(clientId: string, grantId: string, credits: number, now: number): Promise<void> {
    const path = `grants.${grantField(grantId)}`
    await retryLostRaces(`grant restore for client "${clientId}"`, async () => {
      const doc = await this.counters.findOne({ _id: clientId }, { projection: { [path]: 1 } })
      const entry: GrantEntry | undefined = doc?.grants?.[grantField(grantId)]
      if (entry === undefined || entry.voided) return undefined
      if (entry.expiresAt !== null && entry.expiresAt <= now) return undefined
      const cap = entry.credits - credits
      const live = { _id: clientId, [`${path}.voided`]: false }
      const up = await this.counters.updateOne(
        { ...live, [`${path}.remaining`]: { $lte: cap } } as Filter<CounterDocument>,
        { $inc: { [`${path}.remaining`]: double(credits), grantsVersion: double(1) } },
      )
      if (up.matchedCount === 1) return undefined
      const full = await this.counters.updateOne(
        { ...live, [`${path}.remaining`]: { $gt: cap } } as Filter<CounterDocument>,
        { $set: { [`${path}.remaining`]: double(entry.credits) }, $inc: { grantsVersion: double(1) } },
      )
      return full.matchedCount === 1 ? undefined : LOST_RACE
    })
  }
}
