/** One submitted item waiting for its batch, with the settlers of its caller's promise. */
interface Waiting<Item, Result> {
  readonly item: Item
  readonly resolve: (result: Result) => void
  readonly reject: (error: unknown) => void
}

/** Options of {@link ClientBatcher}. */
export interface ClientBatcherOptions<Item, Result> {
  /** Most items in one batch. */
  readonly maxBatchSize: number
  /** Sends one client's batch; answers one result per item, in order. A throw fails every item. */
  readonly flush: (clientId: string, items: readonly Item[]) => Promise<readonly Result[]>
  /**
   * Items with the same (defined) key never share a batch: the later one waits for the next batch, so
   * it sees what the earlier one did (an idempotency key is claimed once). Default: no such key.
   */
  readonly exclusiveKey?: (item: Item) => string | undefined
}

/**
 * Groups one client's items into batches, one batch in flight per client. An item submitted while its
 * client is idle waits until the end of the current event-loop turn (`setImmediate`), so items submitted
 * together share a batch; items submitted while a batch is at the server form the next one. Different
 * clients' batches run independently. Items keep their submission order within and across batches.
 */
export class ClientBatcher<Item, Result> {
  private readonly queues = new Map<string, Waiting<Item, Result>[]>()

  constructor(private readonly options: ClientBatcherOptions<Item, Result>) {}

  /** Queues `item` for `clientId`'s next batch; settles with its own result (or its batch's error). */
  submit(clientId: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.queues.get(clientId)
      if (queue !== undefined) {
        queue.push({ item, resolve, reject })
        return
      }
      this.queues.set(clientId, [{ item, resolve, reject }])
      setImmediate(() => void this.drain(clientId))
    })
  }

  /** Sends the client's batches one after another until its queue is empty, then forgets the client. */
  private async drain(clientId: string): Promise<void> {
    const queue = this.queues.get(clientId) as Waiting<Item, Result>[]
    while (queue.length > 0) {
      const batch = this.take(queue)
      try {
        const results = await this.options.flush(
          clientId,
          batch.map((w) => w.item),
        )
        for (const [i, w] of batch.entries()) w.resolve(results[i] as Result)
      } catch (error) {
        for (const w of batch) w.reject(error)
      }
    }
    this.queues.delete(clientId)
  }

  /** Removes the next batch from `queue`: the oldest items, at most one per exclusive key. */
  private take(queue: Waiting<Item, Result>[]): Waiting<Item, Result>[] {
    const batch: Waiting<Item, Result>[] = []
    const keys = new Set<string>()
    for (let i = 0; i < queue.length && batch.length < this.options.maxBatchSize; ) {
      const waiting = queue[i] as Waiting<Item, Result>
      const key = this.options.exclusiveKey?.(waiting.item)
      if (key !== undefined && keys.has(key)) {
        i++
        continue
      }
      if (key !== undefined) keys.add(key)
      batch.push(waiting)
      queue.splice(i, 1)
    }
    return batch
  }
}
