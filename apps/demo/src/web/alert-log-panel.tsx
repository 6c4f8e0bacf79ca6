import { useEffect, useState } from 'react'

interface DemoAlert {
  readonly kind: 'threshold' | 'low-balance'
  readonly at: string
  readonly message: string
}

/** How often the alert log is read again. */
const POLL_MS = 2_000

/**
 * The client's usage alerts as the server's alert handlers heard them (80 % and 100 % of a window, a low
 * balance), read every two seconds and after each call (`refresh` changes).
 */
export function AlertLogPanel({ apiKey, refresh }: { readonly apiKey: string; readonly refresh: number }) {
  const [alerts, setAlerts] = useState<readonly DemoAlert[]>([])

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `refresh` reads the log again at once
  useEffect(() => {
    const controller = new AbortController()
    const read = () =>
      fetch('/api/billing/alerts', { headers: { 'X-API-Key': apiKey }, signal: controller.signal })
        .then((r) => r.json() as Promise<{ alerts: DemoAlert[] }>)
        .then((body) => setAlerts(body.alerts))
        .catch(() => undefined) // the next poll tries again
    void read()
    const timer = setInterval(() => void read(), POLL_MS)
    return () => {
      controller.abort()
      clearInterval(timer)
    }
  }, [apiKey, refresh])

  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      {alerts.length === 0 ? (
        <p className="demo-muted">
          No alerts yet: they fire at 80 % and 100 % of a window and at a low balance.
        </p>
      ) : (
        <ul className="demo-alerts" aria-live="polite" data-testid="alerts">
          {alerts.map((a) => (
            <li key={`${a.at}-${a.message}`} className={`demo-alert demo-alert--${a.kind}`}>
              <time dateTime={a.at}>{new Date(a.at).toLocaleTimeString()}</time> {a.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
