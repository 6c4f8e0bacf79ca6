import type { ChargeResult } from '@x/api-billing-core'
import type { ChargeBatch } from './charge-batch.js'

/** The three JSON arguments of `<prefix>charge_many` on MySQL/MariaDB (see `mysql-batch-procedure.ts`). */
export interface MysqlBatchArguments {
  readonly items: string
  readonly windows: string
  readonly counters: string
}

/** What `<prefix>charge_many` answers: per item its state and stored answer, per counter its value. */
export interface MysqlBatchOutcome {
  /** Per item: 1 charged, 2 rejected, 3 replayed. */
  readonly states: readonly number[]
  /**
   * Per item: for a replay, the answer (JSON) it replays — its key row's or that of the item of the batch
   * that left it —, else anything, possibly `null`.
   */
  readonly answers: readonly (string | null)[]
  /** Per counter: its value under the lock, or in the lock-free read when no pending item charged it. */
  readonly counters: readonly number[]
}

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex')

/**
 * The JSON arguments of `<prefix>charge_many` for `batch`: client ids and keys as hex of their UTF-8
 * bytes, `''` / `0` / `-1` for no key / no previous item / unlimited, and per counter the lowest limit
 * charged on it.
 */
export function mysqlBatchArguments(batch: ChargeBatch): MysqlBatchArguments {
  const items = batch.clients.map((client, i) => [
    hex(client),
    batch.costs[i],
    batch.buckets[i],
    hex(batch.keys[i] ?? ''),
    batch.keyExpires[i] ?? 0,
    batch.ats[i],
    batch.keyPrevious[i] ?? 0,
  ])
  const { clients, durations, starts, ends } = batch.counters
  const lowest = clients.map(() => -1)
  const windows = windowItems(batch).map((item, j) => {
    const counter = batch.windowCounters[j] as number
    const limit = batch.windowLimits[j] ?? -1
    const k = counter - 1
    if (limit >= 0 && ((lowest[k] as number) < 0 || limit < (lowest[k] as number))) lowest[k] = limit
    return [item, counter, limit, batch.costs[item - 1], batch.windowRepeats[j] ? 1 : 0]
  })
  const counters = clients.map((client, k) => [hex(client), durations[k], starts[k], ends[k], lowest[k]])
  return {
    items: JSON.stringify(items),
    windows: JSON.stringify(windows),
    counters: JSON.stringify(counters),
  }
}

/** Per window of `batch`, the (1-based) item it belongs to. */
function windowItems(batch: ChargeBatch): number[] {
  const items: number[] = []
  batch.windowCounts.forEach((count, i) => {
    for (let n = 0; n < count; n++) items.push(i + 1)
  })
  return items
}

/**
 * Every item's answer from what `<prefix>charge_many` returned, as the items would have been answered
 * one after the other in arrival order: a replay gives back the answer the procedure returned for it;
 * any other item sees each counter's value plus the costs of the items charged before it (and its own,
 * when it was charged).
 */
export function batchAnswers(batch: ChargeBatch, outcome: MysqlBatchOutcome): ChargeResult[] {
  const running = [...outcome.counters]
  const results: ChargeResult[] = []
  let first = 0
  batch.clients.forEach((_, i) => {
    const state = outcome.states[i]
    const count = batch.windowCounts[i] as number
    const counters = batch.windowCounters.slice(first, first + count)
    let used: number[]
    if (state === 3) used = replayedAnswer(outcome.answers[i], i)
    else {
      const cost = state === 1 ? (batch.costs[i] as number) : 0
      used = counters.map((counter) => (running[counter - 1] as number) + cost)
      counters.forEach((counter, n) => {
        if (!batch.windowRepeats[first + n]) running[counter - 1] = (running[counter - 1] as number) + cost
      })
    }
    results.push({ allowed: state === 1 || state === 3, used, replayed: state === 3 })
    first += count
  })
  return results
}

/** The counter values of the answer the procedure returned for replayed item `i` (0-based). */
function replayedAnswer(answer: string | null | undefined, i: number): number[] {
  if (answer == null) throw new Error(`charge_many replayed item ${i + 1} without an answer`)
  return (JSON.parse(answer) as unknown[]).map(Number)
}
