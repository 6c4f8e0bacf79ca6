import { ApiBilling, QuotaDuration, type UsageStore } from '@x/api-billing-core'
import { ManualClock } from '@x/api-billing-core/testing'

/** 2026-03-10 10:00:00.250 UTC: 13:59:59.750 before the day renews, 21 days and that before the month. */
export const START = '2026-03-10T10:00:00.250Z'
/** Seconds from {@link START} to the next UTC midnight, rounded up. */
export const SECONDS_TO_MIDNIGHT = 50_400
/** Seconds from {@link START} to 2026-04-01T00:00Z, rounded up. */
export const SECONDS_TO_APRIL = 21 * 86_400 + SECONDS_TO_MIDNIGHT

/** An engine on `store` with a manual clock at {@link START} and two clients. */
export interface BillingFixture {
  readonly billing: ApiBilling
  readonly clock: ManualClock
  readonly store: UsageStore
}

/**
 * `key-1`: 5 credits a day and 100 a month (the day is tightest); `key-2`: 50 a day and 3 a month
 * (the month is tightest). Windows anchored at UTC midnight / the 1st.
 */
export async function billingFixture(store: UsageStore): Promise<BillingFixture> {
  const clock = new ManualClock(START)
  const billing = new ApiBilling({ store, clock: clock.now })
  await billing.updateClientQuotas('key-1', [
    { duration: QuotaDuration.DAY, creditLimit: 5 },
    { duration: QuotaDuration.MONTH, creditLimit: 100 },
  ])
  await billing.updateClientQuotas('key-2', [
    { duration: QuotaDuration.DAY, creditLimit: 50 },
    { duration: QuotaDuration.MONTH, creditLimit: 3 },
  ])
  return { billing, clock, store }
}

/** Credits used in each of the client's windows right now, shortest window first. */
export async function usedCredits(billing: ApiBilling, clientId: string): Promise<number[]> {
  const status = await billing.getQuotaStatus(clientId)
  return status.windows.map((w) => w.used)
}
