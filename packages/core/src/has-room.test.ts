import { describe, expect, it } from '@jest/globals'
import type { BillingError } from './errors/billing-error.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { StoreUnavailableError } from './errors/store-unavailable-error.js'
import { toStoreUnavailableError } from './errors/to-store-unavailable-error.js'
import { hasRoom } from './has-room.js'
import { isWholeClientDelete } from './is-whole-client-delete.js'
import { UNLIMITED } from './unlimited.js'

describe('hasRoom', () => {
  it('lets a charge fill a window exactly and not one credit more', () => {
    expect(hasRoom(7, 3, 10)).toBe(true)
    expect(hasRoom(8, 3, 10)).toBe(false)
    expect(hasRoom(10, 0, 10)).toBe(true)
  })

  it('always has room in an unlimited window', () => {
    expect(hasRoom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, UNLIMITED)).toBe(true)
  })

  it('stays exact near 2^53, where used + cost would round', () => {
    const limit = Number.MAX_SAFE_INTEGER
    expect(hasRoom(limit - 1, 1, limit)).toBe(true)
    expect(hasRoom(limit - 1, 2, limit)).toBe(false)
    // The naive sum rounds 2^53 - 1 + 2 down to 2^53, which a `<=` check against 2^53 would accept.
    expect(hasRoom(limit, 2, limit + 1)).toBe(false)
  })
})

describe('toStoreUnavailableError', () => {
  it('wraps a driver error with the context and keeps it as the cause', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:6379')
    const error = toStoreUnavailableError(cause, 'RedisUsageStore.charge')
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect(error.message).toBe('RedisUsageStore.charge: connect ECONNREFUSED 127.0.0.1:6379')
    expect(error.cause).toBe(cause)
  })

  it('wraps a thrown non-error value', () => {
    expect(toStoreUnavailableError('boom', 'x').message).toBe('x: boom')
  })

  it('passes billing errors through unchanged', () => {
    const error: BillingError = new InvalidArgumentError('cost', 'expected a number')
    expect(toStoreUnavailableError(error, 'x')).toBe(error)
  })
})

describe('isWholeClientDelete', () => {
  it('tells the whole client from a complete range', () => {
    expect(isWholeClientDelete({ clientId: 'a' })).toBe(true)
    expect(isWholeClientDelete({ clientId: 'a', from: 0, to: 10 })).toBe(false)
  })

  it('refuses half a range instead of reading it as the whole client', () => {
    const half = { clientId: 'a', to: 10 } as unknown as Parameters<typeof isWholeClientDelete>[0]
    expect(() => isWholeClientDelete(half)).toThrow(InvalidArgumentError)
  })
})
