import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { DEFAULT_CLIENT_TTL_MS, demoConfigFrom } from './demo-config.js'

const appDir = '/srv/demo'

describe('demoConfigFrom', () => {
  it('defaults: port 3000 on 127.0.0.1, the app’s plans.json, clients.json in its data folder, one minute', () => {
    expect(demoConfigFrom({}, appDir)).toEqual({
      port: 3000,
      host: '127.0.0.1',
      adminToken: undefined,
      plansFile: '/srv/demo/plans.json',
      clientsFile: '/srv/demo/data/clients.json',
      clientTtlMs: DEFAULT_CLIENT_TTL_MS,
      clockStart: undefined,
    })
    expect(DEFAULT_CLIENT_TTL_MS).toBe(60_000)
  })

  it('puts the clients file beside the SQLite file, or in the data folder for a server database', () => {
    const clientsFile = (env: NodeJS.ProcessEnv) => demoConfigFrom(env, appDir).clientsFile
    expect(clientsFile({ DATABASE_URL: '/var/lib/demo/usage.sqlite' })).toBe('/var/lib/demo/clients.json')
    expect(clientsFile({ DATABASE_URL: 'rel/usage.sqlite' })).toBe(resolve('rel', 'clients.json'))
    expect(clientsFile({ DATABASE_URL: 'postgres://u:p@db/x' })).toBe(join(appDir, 'data', 'clients.json'))
    expect(clientsFile({ DATABASE_URL: 'mysql://db/x' })).toBe(join(appDir, 'data', 'clients.json'))
    expect(clientsFile({ MONGODB_URL: 'mongodb://db/x', DATABASE_URL: '/x/y.sqlite' })).toBe(
      join(appDir, 'data', 'clients.json'),
    )
    expect(clientsFile({ DEMO_CLIENTS_FILE: '/etc/demo/keys.json', DATABASE_URL: '/x/y.sqlite' })).toBe(
      '/etc/demo/keys.json',
    )
  })

  it('takes PORT=0 (any free port) up to 65535 and refuses anything else', () => {
    expect(demoConfigFrom({ PORT: '0' }, appDir).port).toBe(0)
    expect(demoConfigFrom({ PORT: '65535' }, appDir).port).toBe(65_535)
    for (const PORT of ['65536', '-1', '80.5', 'http', ' 80']) {
      expect(() => demoConfigFrom({ PORT }, appDir)).toThrow(/^Invalid PORT: /)
    }
  })

  it('takes a positive DEMO_CLIENT_TTL_MS (Infinity too) and refuses anything else', () => {
    expect(demoConfigFrom({ DEMO_CLIENT_TTL_MS: '300' }, appDir).clientTtlMs).toBe(300)
    expect(demoConfigFrom({ DEMO_CLIENT_TTL_MS: 'Infinity' }, appDir).clientTtlMs).toBe(Infinity)
    for (const DEMO_CLIENT_TTL_MS of ['0', '-5', 'soon', ' ']) {
      expect(() => demoConfigFrom({ DEMO_CLIENT_TTL_MS }, appDir)).toThrow(/^Invalid DEMO_CLIENT_TTL_MS: /)
    }
  })
})
