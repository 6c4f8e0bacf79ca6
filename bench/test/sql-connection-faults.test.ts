import { afterEach, describe, expect, it } from '@jest/globals'
import { ApiBilling, StoreUnavailableError, type UsageStore } from '@x/api-billing-core'
import { createSqlTarget, type ServerEngine, type SqlTarget } from './support/sql-targets.js'

/**
 * Connections of the SQL store killed mid-load (`pg_terminate_backend` / `KILL CONNECTION`): every
 * failure is a StoreUnavailableError, nothing acknowledged is missing, nothing is charged twice or over
 * the limit, counters and ledger agree, and the store recovers by itself.
 */

const LIMIT = 300
const ATTEMPTS = 450
const CONCURRENCY = 12
const KILLS = 6

let target: SqlTarget | undefined
let store: UsageStore | undefined
afterEach(async () => {
  await store?.close().catch(() => undefined)
  await target?.drop()
  store = undefined
  target = undefined
})

/** Calls until the store answers again, for up to 20 s (a reconnect takes well under one on an idle machine). */
async function retry<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      return await call()
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

describe.each<ServerEngine>(['postgres', 'mysql'])(
  'SqlUsageStore on %s with connections killed mid-load',
  (engine) => {
    it('loses no acknowledged charge, charges nothing twice or over the limit, and recovers', async () => {
      target = await createSqlTarget(engine)
      store = await target.openStore()
      const billing = new ApiBilling({ store })
      await billing.updateClientQuotas('c', [
        { duration: 'day', creditLimit: LIMIT },
        { duration: 'month', creditLimit: 1_000_000 },
      ])
      let acknowledged = 0
      let rejected = 0
      let failed = 0
      let next = 0
      let loadDone = false
      const worker = async () => {
        while (next++ < ATTEMPTS) {
          try {
            const decision = await billing.tryTrackClientUsage('c', 1)
            if (decision.allowed) acknowledged++
            else rejected++
          } catch (error) {
            expect(error).toBeInstanceOf(StoreUnavailableError)
            failed++
          }
        }
      }
      const killer = async () => {
        let killed = 0
        for (let i = 0; i < KILLS && !loadDone; i++) {
          await new Promise((r) => setTimeout(r, 40))
          killed += await (target as SqlTarget).killConnections()
        }
        return killed
      }
      const load = Promise.all(Array.from({ length: CONCURRENCY }, worker)).finally(() => {
        loadDone = true
      })
      const [killed] = await Promise.all([killer(), load])
      expect(killed).toBeGreaterThan(0)
      expect(failed).toBeGreaterThan(0)
      expect(acknowledged + rejected + failed).toBe(ATTEMPTS)

      const status = await retry(() => billing.getQuotaStatus('c'))
      const [day, month] = status.windows.map((w) => w.used) as [number, number]
      // Every acknowledged charge is there; a failed one may or may not have committed, never twice.
      expect(day).toBeGreaterThanOrEqual(acknowledged)
      expect(day).toBeLessThanOrEqual(Math.min(LIMIT, acknowledged + failed))
      expect(month).toBe(day)
      expect(await retry(() => billing.getTotalUsage('c'))).toBe(day)
      if (rejected > 0) expect(day).toBe(LIMIT)

      // Recovered: the next charge goes through without help (the pool replaced its connections).
      await billing.updateClientQuotas('c', [{ duration: 'day', creditLimit: LIMIT + 1 }])
      const after = await billing.tryTrackClientUsage('c', 1)
      expect(after.allowed).toBe(day < LIMIT + 1)
    }, 90_000) // under 1 s on an idle machine; the recovery polls for up to 20 s
  },
)
