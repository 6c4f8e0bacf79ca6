import { describe, expect, it } from '@jest/globals'
import type { ChargeRequest, StoreWindow } from '@x/api-billing-core'
import { chargeBatch } from './charge-batch.js'
import { batchAnswers, mysqlBatchArguments } from './mysql-batch-payload.js'

const T0 = Date.UTC(2026, 0, 15, 12)
const minute = (limit: number): StoreWindow => ({ duration: 'minute', start: T0, end: T0 + 60_000, limit })
const hour: StoreWindow = {
  duration: 'hour',
  start: T0,
  end: T0 + 3_600_000,
  limit: Number.POSITIVE_INFINITY,
}
const limit = (value: number) => (value === Number.POSITIVE_INFINITY ? null : value)

describe('mysqlBatchArguments', () => {
  it('sends ids and keys as hex of their UTF-8 bytes, with the lowest limit charged on each counter', () => {
    const batch = chargeBatch(
      [
        {
          clientId: 'é',
          windows: [minute(5), hour],
          cost: 2,
          at: T0,
          idempotency: { key: 'k', expiresAt: T0 + 1 },
        },
        { clientId: 'é', windows: [minute(3)], cost: 1, at: T0 },
      ],
      limit,
    )
    const args = mysqlBatchArguments(batch)
    expect(JSON.parse(args.items)).toEqual([
      ['c3a9', 2, T0, '6b', T0 + 1, T0, 0],
      ['c3a9', 1, T0, '', 0, T0, 0],
    ])
    expect(JSON.parse(args.windows)).toEqual([
      [1, 1, 5, 2, 0],
      [1, 2, -1, 2, 0],
      [2, 1, 3, 1, 0],
    ])
    expect(JSON.parse(args.counters)).toEqual([
      ['c3a9', 'minute', T0, T0 + 60_000, 3],
      ['c3a9', 'hour', T0, T0 + 3_600_000, -1],
    ])
  })
})

describe('batchAnswers', () => {
  it('answers every item as if the batch had run one item after the other in arrival order', () => {
    const keyed = (cost: number): ChargeRequest => ({
      clientId: 'a',
      windows: [minute(5), hour],
      cost,
      at: T0,
      idempotency: { key: 'k', expiresAt: T0 + 60_000 },
    })
    const requests: ChargeRequest[] = [
      { clientId: 'a', windows: [minute(5), hour], cost: 2, at: T0 },
      keyed(2),
      { clientId: 'a', windows: [minute(5)], cost: 2, at: T0 },
      keyed(2),
      { clientId: 'b', windows: [minute(5), minute(5)], cost: 1, at: T0 },
      {
        clientId: 'c',
        windows: [minute(5)],
        cost: 1,
        at: T0,
        idempotency: { key: 'old', expiresAt: T0 + 1 },
      },
    ]
    const batch = chargeBatch(requests, limit)
    const results = batchAnswers(batch, {
      states: [1, 1, 2, 3, 1, 3],
      answers: [null, null, null, '[5,14]', null, '[9]'],
      counters: [1, 10, 0, 0],
    })
    expect(results).toEqual([
      { allowed: true, used: [3, 12], replayed: false },
      { allowed: true, used: [5, 14], replayed: false },
      { allowed: false, used: [5], replayed: false },
      { allowed: true, used: [5, 14], replayed: true },
      { allowed: true, used: [1, 1], replayed: false },
      { allowed: true, used: [9], replayed: true },
    ])
  })
})
