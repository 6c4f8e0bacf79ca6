import { describe, expect, it } from '@jest/globals'
import { AdminToken } from './admin-token.js'

describe('AdminToken', () => {
  it('authorises exactly "Bearer <token>"', () => {
    const token = new AdminToken('s3cret')
    expect(token.authorizes('Bearer s3cret')).toBe(true)
    expect(token.authorizes('Bearer s3creT')).toBe(false) // same length, one character off
    expect(token.authorizes('Bearer s3cret ')).toBe(false)
    expect(token.authorizes('Bearer s3')).toBe(false) // a prefix
    expect(token.authorizes('s3cret')).toBe(false)
    expect(token.authorizes('')).toBe(false)
    expect(token.authorizes(undefined)).toBe(false)
  })

  it('authorises nothing without a token, or with an empty one', () => {
    expect(new AdminToken(undefined).authorizes('Bearer ')).toBe(false)
    expect(new AdminToken(undefined).authorizes('Bearer undefined')).toBe(false)
    expect(new AdminToken('').authorizes('Bearer ')).toBe(false)
  })
})
