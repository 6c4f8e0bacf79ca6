import { describe, expect, it } from '@jest/globals'
import { InvalidArgumentError, type StoreWindow } from '@x/api-billing-core'
import { createMysqlUsageStore } from './create-mysql-usage-store.js'
import { createPostgresUsageStore } from './create-postgres-usage-store.js'
import { createTestTarget, mysqlUrl, postgresAdmin, postgresUrl } from './test-support/test-databases.js'

const minute: StoreWindow = { duration: 'minute', start: 0, end: 60_000, limit: 10 }

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

describe('createPostgresUsageStore', () => {
  it('opens a migrated store from a URL, in the schema of its search_path', async () => {
    const { target, cleanup } = await createTestTarget('postgres')
    const url = `${postgresUrl()}?options=${encodeURIComponent(`-c search_path=${target.postgresSchema}`)}`
    try {
      const store = await createPostgresUsageStore(url, { poolSize: 2 })
      expect((await store.charge({ clientId: 'c', windows: [minute], cost: 3, at: 0 })).used).toEqual([3])
      const { rows } = await postgresAdmin(
        'select count(*)::int as n from information_schema.tables where table_schema = $1',
        [target.postgresSchema],
      )
      expect(rows[0].n).toBeGreaterThanOrEqual(4)
      await store.close()
    } finally {
      await cleanup()
    }
  })

  it('reports a connection the server dropped instead of crashing, and charges again', async () => {
    const { target, cleanup } = await createTestTarget('postgres')
    const name = `abq_${target.postgresSchema}`.slice(0, 60)
    const url = `${postgresUrl()}?application_name=${name}&options=${encodeURIComponent(`-c search_path=${target.postgresSchema}`)}`
    let reported: (error: Error) => void = () => undefined
    const dropped = new Promise<Error>((resolve) => {
      reported = resolve
    })
    try {
      const store = await createPostgresUsageStore(url, { onConnectionError: (error) => reported(error) })
      await store.charge({ clientId: 'c', windows: [minute], cost: 1, at: 0 })
      const { rows } = await postgresAdmin(
        'select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1',
        [name],
      )
      expect(rows.some((row) => row.done === true)).toBe(true)
      expect(await dropped).toBeInstanceOf(Error)
      expect((await store.charge({ clientId: 'c', windows: [minute], cost: 1, at: 0 })).used).toEqual([2])
      await store.close()
    } finally {
      await cleanup()
    }
  })

  it('rejects a URL of another database kind', async () => {
    await expect(createPostgresUsageStore('mysql://root@127.0.0.1/test')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
  })
})

describe('createMysqlUsageStore', () => {
  it('opens a migrated store from a URL', async () => {
    const { target, cleanup } = await createTestTarget('mysql')
    try {
      const store = await createMysqlUsageStore(withDatabase(mysqlUrl(), target.mysqlDatabase as string))
      expect((await store.charge({ clientId: 'c', windows: [minute], cost: 4, at: 0 })).used).toEqual([4])
      expect(await store.status('c', [minute])).toEqual([4])
      await store.close()
    } finally {
      await cleanup()
    }
  })

  it('rejects a URL of another database kind', async () => {
    await expect(createMysqlUsageStore('postgres://x@127.0.0.1/test')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
  })
})
