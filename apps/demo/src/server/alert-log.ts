import type { LowBalanceEvent, ThresholdEvent } from '@x/api-billing-core'

/** One alert as the dashboard lists it. */
export interface DemoAlert {
  /** `'threshold'`: a window's usage crossed a line; `'low-balance'`: the prepaid balance fell to the line. */
  readonly kind: 'threshold' | 'low-balance'
  /** ISO-8601 instant of the charge that crossed the line. */
  readonly at: string
  /** A sentence for people. */
  readonly message: string
}

/** The most alerts kept per client; older ones are dropped. */
const MAX_PER_CLIENT = 20

/**
 * The demo's alert handlers and what they heard: the last alerts of each client, newest first, in this
 * process's memory. A real application would send an e-mail or a webhook from the same handlers.
 */
export class AlertLog {
  private readonly byClient = new Map<string, DemoAlert[]>()

  /** For `alerts.onThreshold`. */
  readonly onThreshold = (event: ThresholdEvent): void => {
    const percent = Math.round(event.threshold * 100)
    this.add(event.clientId, {
      kind: 'threshold',
      at: event.at.toISOString(),
      message: `${percent} % of the ${event.duration} quota used (${event.used} of ${event.limit} credits)`,
    })
  }

  /** For `alerts.onLowBalance`. */
  readonly onLowBalance = (event: LowBalanceEvent): void => {
    this.add(event.clientId, {
      kind: 'low-balance',
      at: event.at.toISOString(),
      message: `Prepaid balance low: ${event.available} credits left`,
    })
  }

  /** The client's alerts, newest first. */
  list(clientId: string): readonly DemoAlert[] {
    return this.byClient.get(clientId) ?? []
  }

  private add(clientId: string, alert: DemoAlert): void {
    const alerts = [alert, ...(this.byClient.get(clientId) ?? [])].slice(0, MAX_PER_CLIENT)
    this.byClient.set(clientId, alerts)
  }
}
