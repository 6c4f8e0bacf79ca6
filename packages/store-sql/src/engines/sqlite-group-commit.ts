import type { SqliteSession } from './sqlite-session.js'

/** How {@link SqliteGroupCommit.submit} runs one operation. */
export interface SubmitOptions {
  /** Whether the operation changes anything (its batch then opens with `BEGIN IMMEDIATE`). */
  readonly write: boolean
}

interface Job {
  readonly write: boolean
  readonly work: (session: SqliteSession) => Promise<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/**
 * Group commit for SQLite's single writer: every operation submitted during one event-loop turn
 * runs, one after the other, in a single transaction (`BEGIN IMMEDIATE` when any of them writes),
 * and each caller's promise settles only after that transaction committed — with its own exact
 * answer, since each operation sees the ones before it. One commit (one WAL sync) for the batch
 * instead of one per charge. If anything fails, the whole batch rolls back and every caller in it
 * gets the error; nothing of it was written.
 */
export class SqliteGroupCommit {
  private queue: Job[] = []
  private flushing: Promise<void> | undefined

  /** `maxBatchSize`: most operations that share one transaction (1: every operation its own). */
  constructor(
    private readonly session: SqliteSession,
    private readonly maxBatchSize: number,
  ) {}

  /** Queues `work` for the next batch. */
  submit<T>(options: SubmitOptions, work: (session: SqliteSession) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write: options.write, work, resolve: resolve as (value: unknown) => void, reject })
      this.flushing ??= new Promise<void>((next) => setImmediate(next)).then(() => this.flush())
    })
  }

  /** Resolves when every submitted operation has settled. */
  async drain(): Promise<void> {
    await this.flushing
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchSize)
      const results: unknown[] = []
      try {
        await this.session.transaction(
          batch.some((job) => job.write),
          async () => {
            for (const job of batch) results.push(await job.work(this.session))
          },
        )
        batch.forEach((job, i) => {
          job.resolve(results[i])
        })
      } catch (error) {
        for (const job of batch) job.reject(error)
      }
    }
    this.flushing = undefined
  }
}
