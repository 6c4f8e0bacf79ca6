import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { compareGrants, type StoredGrant, type StoreWindow } from '@x/api-billing-core'
import { createRedisUsageStore } from './create-redis-usage-store.js'
import type { RedisUsageStore } from './redis-usage-store.js'
import { deleteKeysWithPrefix, freshPrefix, redisUrl } from './test-support/test-redis.js'

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0)
const keyPrefix = freshPrefix('order')
let store: RedisUsageStore

beforeAll(async () => {
  store = await createRedisUsageStore({ url: redisUrl(), keyPrefix, onWarning: () => undefined })
})

afterAll(async () => {
  await store.close()
  await deleteKeysWithPrefix(keyPrefix)
})

function grant(id: string, extra: Partial<StoredGrant> = {}): StoredGrant {
  return {
    id,
    credits: 1,
    remaining: 1,
    effectiveAt: 0,
    expiresAt: undefined,
    grantedAt: 5,
    note: undefined,
    ...extra,
  }
}

it('lists and spends grants in exactly compareGrants order, odd ids, negative and huge instants included', async () => {
  const grants = [
    // Equal expiry and grantedAt: the ids decide, compared as JavaScript strings (UTF-16 code units).
    ...['a}', 'a|', 'a%', 'a{', 'a', 'é', '\uFFFF', '🙂', '\uD800', 'b%25'].map((id) => grant(id)),
    grant('old', { grantedAt: -86_400_000 }),
    grant('young', { grantedAt: Number.MAX_SAFE_INTEGER }),
    grant('soon', { expiresAt: T0 + 1 }),
    grant('sooner', { expiresAt: T0 + 1, grantedAt: 9 }),
    grant('later', { expiresAt: Number.MAX_SAFE_INTEGER }),
  ]
  for (const g of grants) await store.grantCredits({ clientId: 'c', grant: g })
  const expected = [...grants].sort(compareGrants)
  expect(await store.listGrants('c', T0)).toEqual(expected)
  const prepaid: StoreWindow = {
    duration: 'day',
    start: T0,
    end: T0 + 86_400_000,
    limit: 0,
    overflow: 'balance',
  }
  const result = await store.charge({ clientId: 'c', windows: [prepaid], cost: grants.length, at: T0 })
  expect(result.credit?.spent).toEqual(expected.map((g) => ({ grantId: g.id, credits: 1 })))
  expect(await store.listGrants('c', T0)).toEqual([])
})
