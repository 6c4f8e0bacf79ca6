import { afterEach, describe, expect, it } from '@jest/globals'
import { ApiBilling, StoreUnavailableError, type UsageStore } from '@x/api-billing-core'
import { createSqlTarget, type ServerEngine, type SqlTarget } from './support/sql-targets.js'

/**
 * Connections of the SQL store killed mid-load (`pg_terminate_backend` / `KILL CONNECTION`): every
 * failure is a StoreUnavailableError, nothing acknowledged is missing, nothing is charged twice or over
 * the limit, counters and ledger agree, and the store recovers by itself.
 */

const LIMIT = 300
/** Charges made at least; more while no charge has failed yet, up to {@link MAX_ATTEMPTS}. */
const ATTEMPTS = 450
const MAX_ATTEMPTS = 5_000
const CONCURRENCY = 12
/** Every this many attempts, the attempting worker kills the store's connections (without waiting). */
const KILL_EVERY = 60

let target: SqlTarget | undefined
let store: UsageStore | undefined
afterEach(async () => {
  await store?.close().catch(() => undefined)
  await target?.drop()
  store = undefined
  target = undefined
})

/**
 * Calls until the store answers again. Each call that still finds a killed connection fails and the pool
 * drops that connection, so one succeeds within the pool's size (10) and a few more: counted, not timed.
 */
async function retry<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || attempt >= 25) throw error
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
      let attempts = 0
      let killed = 0
      const kills: Promise<void>[] = []
      // Kills are paced by the load's progress, not by a timer, and the load goes on until one has hit a
      // charge in flight: a kill that finds only idle connections (between two batches) fails nothing.
      const worker = async () => {
        while (attempts < ATTEMPTS || (failed === 0 && attempts < MAX_ATTEMPTS)) {
          attempts++
          if (attempts % KILL_EVERY === 0) {
            const kill = (target as SqlTarget).killConnections().then((n) => {
              killed += n
            })
            kills.push(kill)
          }
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
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
      await Promise.all(kills)
      expect(killed).toBeGreaterThan(0)
      expect(failed).toBeGreaterThan(0)
      expect(acknowledged + rejected + failed).toBe(attempts)

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
