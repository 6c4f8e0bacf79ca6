import { describe, expect, it } from '@jest/globals'
import {
  type ChargeResult,
  MemoryUsageStore,
  type StoredGrant,
  type StoreWindow,
  UNLIMITED,
} from '@x/api-billing-core'
import fc from 'fast-check'
import { newSlot } from './counter-documents.js'
import { type CreditItem, planCreditBatch } from './credit-batches.js'
import { grantField, toGrantEntry } from './grant-entries.js'
import type { CounterDocument } from './store-documents.js'
import { T0 } from './test-support/windows.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const month = (limit: number, overflow: 'balance' | 'bill', overageLimit?: number): StoreWindow => ({
  duration: 'month',
  start: T0 - 14 * DAY,
  end: T0 + 17 * DAY,
  limit,
  overflow,
  ...(overageLimit === undefined ? {} : { overageLimit }),
})
const hour = (limit: number): StoreWindow => ({ duration: 'hour', start: T0, end: T0 + HOUR, limit })

/** Plain JSON of a value holding BSON doubles (as the driver would read them back: plain numbers). */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** A counter document holding `used` in each window's current slot and `grants`, as read from the server. */
function documentOf(windows: readonly StoreWindow[], used: readonly number[], grants: StoredGrant[]) {
  const doc: CounterDocument = { _id: 'a', current: {}, previous: {}, grants: {}, grantsVersion: 1 }
  for (const [i, w] of windows.entries()) (doc.current ?? {})[w.duration] = newSlot(w, used[i] as number)
  for (const g of grants) (doc.grants ?? {})[grantField(g.id)] = toGrantEntry(g, undefined)
  return plain(doc)
}

/** What core's memory store (the reference) answers to the same charges one by one, on the same state. */
async function oracle(
  windows: readonly StoreWindow[],
  used: readonly number[],
  grants: StoredGrant[],
  items: readonly CreditItem[],
): Promise<ChargeResult[]> {
  const store = new MemoryUsageStore()
  for (const [i, w] of windows.entries()) {
    const { duration, start, end } = w
    await store.charge({
      clientId: 'a',
      windows: [{ duration, start, end, limit: UNLIMITED }],
      cost: used[i] as number,
      at: T0,
    })
  }
  for (const grant of grants) await store.grantCredits({ clientId: 'a', grant })
  const results: ChargeResult[] = []
  for (const item of items) results.push(await store.charge({ clientId: 'a', ...item }))
  return results
}

const grantArb = fc.record({
  credits: fc.integer({ min: 1, max: 12 }),
  expiresInHours: fc.option(fc.integer({ min: -1, max: 3 }), { nil: undefined }),
  pending: fc.boolean(),
  grantedAgo: fc.integer({ min: 0, max: 3 }),
})

const windowsArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 15 })).map(([limit]) => [month(limit, 'balance')]),
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 30 }))
    .map(([limit, h]) => [hour(h), month(limit, 'balance')]),
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }))
    .map(([limit, overage]) => [hour(UNLIMITED), month(limit, 'bill', overage)]),
)

describe('planCreditBatch', () => {
  it("answers a batch exactly as core's memory store answers the same charges one by one", async () => {
    await fc.assert(
      fc.asyncProperty(
        windowsArb,
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 2, maxLength: 2 }),
        fc.array(grantArb, { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 8 }),
        async (windows, usedPool, grantSpecs, costs) => {
          const used = windows.map((_, i) => usedPool[i] as number)
          const grants: StoredGrant[] = grantSpecs.map((g, i) => ({
            id: `g${i}`,
            credits: g.credits,
            remaining: g.credits,
            effectiveAt: g.pending ? T0 + HOUR : T0 - DAY,
            expiresAt: g.expiresInHours === undefined ? undefined : T0 + g.expiresInHours * HOUR + 1,
            grantedAt: T0 - g.grantedAgo * HOUR,
            note: undefined,
          }))
          const items = costs.map((cost) => ({ windows, cost, at: T0 }))
          const plan = planCreditBatch(documentOf(windows, used, grants), 'a', items)
          const expected = await oracle(windows, used, grants, items)
          expect(plan?.answers).toEqual(
            expected.map(({ allowed, used, credit }) => ({ allowed, used, credit })),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('builds one update guarded by the counts and grants version read, spending each grant its total', () => {
    const windows = [month(2, 'balance')]
    const grants: StoredGrant[] = [
      {
        id: 'g1',
        credits: 3,
        remaining: 3,
        effectiveAt: 0,
        expiresAt: T0 + HOUR,
        grantedAt: 0,
        note: undefined,
      },
      {
        id: 'g2',
        credits: 9,
        remaining: 9,
        effectiveAt: 0,
        expiresAt: undefined,
        grantedAt: 0,
        note: undefined,
      },
    ]
    const items = [2, 3, 2].map((cost) => ({ windows, cost, at: T0 }))
    const plan = planCreditBatch(documentOf(windows, [1], grants), 'a', items)
    const [g1, g2] = [grantField('g1'), grantField('g2')]
    expect(plain(plan?.write)).toEqual({
      filter: {
        _id: 'a',
        'current.month.start': T0 - 14 * DAY,
        'current.month.used': 1,
        grantsVersion: 1,
        [`grants.${g1}.voided`]: false,
        [`grants.${g1}.remaining`]: { $gte: 3 },
        [`grants.${g2}.voided`]: false,
        [`grants.${g2}.remaining`]: { $gte: 3 },
      },
      update: {
        $inc: {
          'current.month.used': 7,
          'current.month.version': 1,
          [`grants.${g1}.remaining`]: -3,
          [`grants.${g2}.remaining`]: -3,
          grantsVersion: 1,
        },
      },
    })
  })

  it('leaves a batch with a window outside the current and previous slots to one-by-one charging', () => {
    const doc = documentOf([month(5, 'balance')], [0], [])
    const next = { ...month(5, 'balance'), start: T0 + 17 * DAY, end: T0 + 48 * DAY }
    expect(planCreditBatch(doc, 'a', [{ windows: [next], cost: 1, at: T0 }])).toBeUndefined()
    expect(planCreditBatch(null, 'a', [{ windows: [month(5, 'bill')], cost: 1, at: T0 }])).toBeUndefined()
  })
})
