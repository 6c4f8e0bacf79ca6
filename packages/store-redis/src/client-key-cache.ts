import { type ClientKeys, clientKeys } from './client-keys.js'

/** Clients whose keys are kept at once; past it the cache starts over (cheap, and bounded). */
const MAX_CLIENTS = 10_000

/**
 * The keys of recently seen clients, so that a busy client's charge does not escape its id, hash its
 * slot and build eight key names on every call.
 */
export class ClientKeyCache {
  private readonly entries = new Map<string, ClientKeys>()

  constructor(private readonly prefix: string) {}

  /** The keys of `clientId` under the cache's prefix. */
  get(clientId: string): ClientKeys {
    let keys = this.entries.get(clientId)
    if (keys === undefined) {
      if (this.entries.size >= MAX_CLIENTS) this.entries.clear()
      keys = clientKeys(this.prefix, clientId)
      this.entries.set(clientId, keys)
    }
    return keys
  }
}
