import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { InvalidArgumentError } from '@x/api-billing-core'
import { ClientsFile } from './clients-file.js'

const SEED = [
  { apiKey: 'demo-free', name: 'Free tier', plan: 'free' },
  { apiKey: 'demo-pro', name: 'Pro', plan: 'pro' },
]

let dir: string
let file: ClientsFile

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'demo-clients-file-'))
  file = new ClientsFile(join(dir, 'nested', 'clients.json'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const onDisk = () => JSON.parse(readFileSync(file.path, 'utf8')) as { clients: Record<string, unknown> }

describe('ClientsFile', () => {
  it('seeds a missing file (and its folder) once, and never overwrites an existing one', () => {
    expect(file.seed(SEED)).toBe(true)
    expect(onDisk().clients).toEqual({
      'demo-free': { name: 'Free tier', plan: 'free' },
      'demo-pro': { name: 'Pro', plan: 'pro' },
    })
    file.setPlan('demo-free', { plan: 'pro' })
    expect(file.seed(SEED)).toBe(false)
    expect(new ClientsFile(file.path).seed([])).toBe(false)
    expect(file.get('demo-free')).toEqual({ name: 'Free tier', plan: 'pro' })
    expect(readdirSync(join(dir, 'nested'))).toEqual(['clients.json'])
  })

  it('reads the file on every lookup: a change made by another writer shows at once', () => {
    file.seed(SEED)
    expect(file.get('demo-pro')).toEqual({ name: 'Pro', plan: 'pro' })
    new ClientsFile(file.path).setPlan('demo-pro', { quotas: [{ duration: 'day', creditLimit: 7 }] })
    expect(file.get('demo-pro')).toEqual({ name: 'Pro', quotas: [{ duration: 'day', creditLimit: 7 }] })
  })

  it('changes a client in its place keeping its name, adds a new one at the end, and leaves no temp file', () => {
    file.seed(SEED)
    file.setPlan('demo-free', { plan: 'pro', overrides: [{ duration: 'minute', creditLimit: 5 }] })
    file.setPlan('new-client', { plan: 'free' })
    expect(file.list()).toEqual([
      { apiKey: 'demo-free', name: 'Free tier', plan: 'pro' },
      { apiKey: 'demo-pro', name: 'Pro', plan: 'pro' },
      { apiKey: 'new-client', name: 'new-client', plan: 'free' },
    ])
    expect(file.get('demo-free')).toEqual({
      name: 'Free tier',
      plan: 'pro',
      overrides: [{ duration: 'minute', creditLimit: 5 }],
    })
    expect(readdirSync(join(dir, 'nested'))).toEqual(['clients.json'])
  })

  it('lists a client with quotas of its own as on the custom plan', () => {
    file.seed([])
    file.setPlan('own', { quotas: [{ duration: 'day', creditLimit: 3 }] })
    expect(file.list()).toEqual([{ apiKey: 'own', name: 'own', plan: 'custom' }])
  })

  it('knows only the API keys the file has, never an object’s built-in properties', () => {
    file.seed(SEED)
    expect(file.get('constructor')).toBeUndefined()
    expect(file.get('__proto__')).toBeUndefined()
    expect(file.get('toString')).toBeUndefined()
    file.setPlan('__proto__', { plan: 'free' })
    expect(file.get('__proto__')).toEqual({ plan: 'free' })
    expect(Object.keys(onDisk().clients)).toEqual(['demo-free', 'demo-pro', '__proto__'])
  })

  it('rejects a file without a clients object, or with a client that is not an object', () => {
    file.seed([])
    writeFileSync(file.path, JSON.stringify({ clients: [] }))
    expect(() => file.get('a')).toThrow(InvalidArgumentError)
    writeFileSync(file.path, JSON.stringify({ clients: { a: 'free' } }))
    expect(() => file.list()).toThrow(/clients\.a: expected an object/)
  })
})
