import { describe, expect, it } from '@jest/globals'
import express from 'express'
import request from 'supertest'
import { bearerTokenAuthorizer, tokensEqual } from './bearer-token-authorizer.js'

/** An app answering with what the authorizer decided. */
function app(tokens: string | readonly string[]) {
  const authorize = bearerTokenAuthorizer(tokens)
  return express().get('/', (req, res) => {
    res.send(String(authorize(req)))
  })
}

describe('bearerTokenAuthorizer', () => {
  it('allows any of the configured tokens (rotation) and nothing else', async () => {
    const server = app(['old-token', 'new-token'])
    const decide = async (authorization?: string) => {
      const req = request(server).get('/')
      return (await (authorization === undefined ? req : req.set('Authorization', authorization))).text
    }
    expect(await decide('Bearer old-token')).toBe('allow')
    expect(await decide('bearer new-token')).toBe('allow')
    expect(await decide('Bearer  new-token ')).toBe('allow')
    for (const bad of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearer new',
      'Bearer new-token2',
      'Basic new-token',
    ]) {
      expect([bad, await decide(bad)]).toEqual([bad, 'unauthenticated'])
    }
  })

  it('rejects an empty token list or an empty token at construction', () => {
    expect(() => bearerTokenAuthorizer('')).toThrow(TypeError)
    expect(() => bearerTokenAuthorizer([])).toThrow(TypeError)
    expect(() => bearerTokenAuthorizer(['ok', ''])).toThrow(TypeError)
  })
})

describe('tokensEqual', () => {
  it('compares secrets of any lengths without throwing', () => {
    expect(tokensEqual('secret', 'secret')).toBe(true)
    expect(tokensEqual('secret', 'secreT')).toBe(false)
    expect(tokensEqual('secret', 'secret-and-more')).toBe(false)
    expect(tokensEqual('', 'x')).toBe(false)
    expect(tokensEqual('ü', 'ü')).toBe(true)
  })
})
