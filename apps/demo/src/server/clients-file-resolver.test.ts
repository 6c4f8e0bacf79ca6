import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  ApiBilling,
  MemoryUsageStore,
  PlanResolutionError,
  UNLIMITED,
  UnknownClientError,
} from '@x/api-billing-core'
import { ClientsFile } from './clients-file.js'
import { clientResolution, clientsFileResolver } from './clients-file-resolver.js'

let dir: string
let file: ClientsFile
let billing: ApiBilling

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'demo-clients-resolver-'))
  file = new ClientsFile(join(dir, 'clients.json'))
  file.seed([{ apiKey: 'k-free', name: 'Free', plan: 'free' }])
  billing = new ApiBilling({
    store: new MemoryUsageStore(),
    plans: {
      free: [
        { duration: 'minute', creditLimit: 10 },
        { duration: 'day', creditLimit: 100 },
      ],
    },
    resolveClient: clientsFileResolver(file),
  })
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const limits = async (apiKey: string) =>
  (await billing.resolveClientQuotas(apiKey)).map((d) => [d.duration, d.creditLimit])

describe('clientsFileResolver', () => {
  it('answers a client’s catalog plan, with its overrides, or its own quotas (null is unlimited)', async () => {
    file.setPlan('k-over', { plan: 'free', overrides: [{ duration: 'minute', creditLimit: 20 }] })
    file.setPlan('k-own', { quotas: [{ duration: 'hour', creditLimit: null }] })
    expect(await limits('k-free')).toEqual([
      ['minute', 10],
      ['day', 100],
    ])
    expect(await limits('k-over')).toEqual([
      ['minute', 20],
      ['day', 100],
    ])
    expect(await limits('k-own')).toEqual([['hour', UNLIMITED]])
  })

  it('makes an API key missing from the file an unknown client', async () => {
    await expect(billing.resolveClientQuotas('nobody')).rejects.toThrow(UnknownClientError)
  })

  it('fails the lookup (503) for a plan missing from the catalog or a record that is no plan', async () => {
    file.setPlan('k-gone', { plan: 'platinum' })
    await expect(billing.resolveClientQuotas('k-gone')).rejects.toThrow(PlanResolutionError)
    expect(() => clientResolution('k-empty', {})).toThrow(
      'Invalid clients.k-empty: expected { "plan": "<name>" } or { "quotas": [...] }',
    )
  })
})
