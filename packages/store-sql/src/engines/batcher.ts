/** How a {@link Batcher} forms its batches. */
export interface BatcherSettings {
  /** Most items in one batch. */
  readonly maxBatchSize: number
  /** Longest an item waits for an earlier batch to finish before its own batch goes anyway, in ms. */
  readonly maxBatchWaitMs: number
  /** Most batches in flight at once; later items wait for one of them to finish. */
  readonly maxBatchesInFlight: number
}

interface Waiting<I, O> {
  readonly item: I
  readonly resolve: (value: O) => void
  readonly reject: (error: unknown) => void
}

/**
 * Gathers items that arrive together into one call of `run`. An item sent while no batch is in flight
 * goes at the end of the current event-loop turn, with whatever else arrived in that turn. Items that
 * arrive while a batch is in flight go together as soon as it finishes — or after `maxBatchWaitMs`
 * (then alongside it), whichever comes first — at most `maxBatchSize` per batch and at most
 * `maxBatchesInFlight` batches at once. `run` answers one result per item, in order; if it throws,
 * every item of that batch rejects with its error.
 */
export class Batcher<I, O> {
  private queue: Waiting<I, O>[] = []
  private inFlight = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private immediate: ReturnType<typeof setImmediate> | undefined

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly settings: BatcherSettings,
  ) {}

  /** Queues `item` for a batch; resolves with its own result once that batch has been run. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    const { maxBatchSize, maxBatchWaitMs, maxBatchesInFlight } = this.settings
    if (this.queue.length === 0 || this.inFlight >= maxBatchesInFlight) return
    if (this.queue.length >= maxBatchSize) this.flush()
    else if (this.inFlight === 0) this.immediate ??= setImmediate(() => this.flush())
    else this.timer ??= setTimeout(() => this.flush(), maxBatchWaitMs)
  }

  private flush(): void {
    clearImmediate(this.immediate)
    clearTimeout(this.timer)
    this.immediate = undefined
    this.timer = undefined
    while (this.queue.length > 0 && this.inFlight < this.settings.maxBatchesInFlight) {
      this.send(this.queue.splice(0, this.settings.maxBatchSize))
      if (this.queue.length < this.settings.maxBatchSize) break
    }
    this.schedule()
  }

  private send(batch: readonly Waiting<I, O>[]): void {
    this.inFlight++
    const settle = (results: readonly O[] | undefined, error: unknown) => {
      this.inFlight--
      batch.forEach((waiting, i) => {
        if (results === undefined) waiting.reject(error)
        else waiting.resolve(results[i] as O)
      })
      if (this.queue.length > 0) this.flush()
    }
    let running: Promise<readonly O[]>
    try {
      running = this.run(batch.map((waiting) => waiting.item))
    } catch (error) {
      running = Promise.reject(error)
    }
    running.then(
      (results) => settle(results, undefined),
      (error: unknown) => settle(undefined, error),
    )
  }
}
