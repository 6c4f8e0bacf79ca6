import { StoreUnavailableError, type UsageStore } from '@x/api-billing-core'

/** A usage store whose database is down: every method rejects with `StoreUnavailableError`. */
export class FailingUsageStore implements UsageStore {
  /** How many calls were made (each one rejected). */
  calls = 0

  private fail(): Promise<never> {
    this.calls++
    return Promise.reject(new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:5432'))
  }

  init = (): Promise<never> => this.fail()
  charge = (): Promise<never> => this.fail()
  status = (): Promise<never> => this.fail()
  refund = (): Promise<never> => this.fail()
  readUsage = (): Promise<never> => this.fail()
  deleteUsage = (): Promise<never> => this.fail()
  purge = (): Promise<never> => this.fail()
  grantCredits = (): Promise<never> => this.fail()
  listGrants = (): Promise<never> => this.fail()
  voidGrant = (): Promise<never> => this.fail()
  scanUsage = (): Promise<never> => this.fail()
  close = async (): Promise<void> => {}
}
