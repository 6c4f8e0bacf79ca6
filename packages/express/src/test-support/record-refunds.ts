import type { UsageStore } from '@x/api-billing-core'

/**
 * Records every `store.refund` call so that a test can await refunds the middleware starts after the
 * response has ended (the call itself happens synchronously when the response finishes).
 */
export function recordRefunds(store: UsageStore): Promise<boolean>[] {
  const calls: Promise<boolean>[] = []
  const refund = store.refund.bind(store)
  store.refund = (request) => {
    const call = refund(request)
    calls.push(call)
    return call
  }
  return calls
}
