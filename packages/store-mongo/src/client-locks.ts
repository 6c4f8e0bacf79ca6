import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { StoreUnavailableError, toStoreUnavailableError } from '@x/api-billing-core'
import type { Collection } from 'mongodb'
import { isDuplicateKeyError } from './is-duplicate-key-error.js'
import type { LockDocument } from './store-documents.js'

/**
 * Serialises the writes of one client, for servers whose single-document updates are not atomic
 * (FerretDB v1 reads, changes and rewrites a document without a transaction). Inside one process
 * callers queue on a promise chain; across processes they take a lock document, inserted under the
 * client's `_id` (a unique insert is atomic everywhere). A lock older than `leaseMs` belongs to a
 * process that died and is taken over.
 */
export class ClientLocks {
  private readonly queues = new Map<string, Promise<unknown>>()

  constructor(
    private readonly locks: Collection<LockDocument>,
    private readonly leaseMs: number,
  ) {}

  /** Runs `work` while holding `clientId`'s lock. */
  async run<T>(clientId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(clientId) ?? Promise.resolve()
    const mine = previous.catch(() => undefined).then(() => this.holding(clientId, work))
    this.queues.set(clientId, mine)
    try {
      return await mine
    } finally {
      if (this.queues.get(clientId) === mine) this.queues.delete(clientId)
    }
  }

  private async holding<T>(clientId: string, work: () => Promise<T>): Promise<T> {
    const token = await this.acquire(clientId).catch((error: unknown) => {
      throw toStoreUnavailableError(error, `MongoUsageStore: could not lock client "${clientId}"`)
    })
    try {
      return await work()
    } finally {
      await this.locks.deleteOne({ _id: clientId, owner: token }).catch(() => undefined)
    }
  }

  private async acquire(clientId: string): Promise<string> {
    const token = randomUUID()
    const giveUpAt = Date.now() + 3 * this.leaseMs
    for (let attempt = 0; ; attempt++) {
      try {
        await this.locks.insertOne({ _id: clientId, owner: token, leaseUntil: Date.now() + this.leaseMs })
        return token
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error
      }
      const held = await this.locks.findOne({ _id: clientId })
      if (held !== null && held.leaseUntil <= Date.now()) {
        await this.locks.deleteOne({ _id: clientId, owner: held.owner })
        continue
      }
      if (Date.now() > giveUpAt) {
        throw new StoreUnavailableError(
          `MongoUsageStore: timed out waiting for the lock of client "${clientId}"`,
        )
      }
      await sleep(Math.min(2 + attempt, 20) * (0.5 + Math.random()))
    }
  }
}
