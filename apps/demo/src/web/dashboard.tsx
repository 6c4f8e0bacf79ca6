import { useEffect, useState } from 'react'
import { ClientView } from './client-view.js'

interface DemoClient {
  readonly apiKey: string
  readonly name: string
  readonly plan: string
}

/** The demo dashboard: pick a client of the clients file, then call the API as that client and watch the meters. */
export function Dashboard() {
  const [clients, setClients] = useState<readonly DemoClient[]>([])
  const [apiKey, setApiKey] = useState<string>('')
  const [error, setError] = useState<string>()

  useEffect(() => {
    fetch('/api/demo/clients')
      .then((r) => r.json() as Promise<{ clients: DemoClient[] }>)
      .then(({ clients }) => {
        setClients(clients)
        setApiKey((current) => current || (clients[0]?.apiKey ?? ''))
      })
      .catch((e: unknown) => setError(String(e)))
  }, [])

  return (
    <div className="demo">
      <header className="demo-header">
        <div>
          <h1>API Billing demo</h1>
          <p className="demo-tagline">Quotas and usage billing for an HTTP API, on one shared store.</p>
        </div>
        <label className="demo-picker">
          <span>Client</span>
          <select value={apiKey} onChange={(e) => setApiKey(e.target.value)} aria-label="Client">
            {clients.map((c) => (
              <option key={c.apiKey} value={c.apiKey}>
                {c.name} — {c.apiKey}
              </option>
            ))}
          </select>
        </label>
      </header>
      {error && (
        <p role="alert" className="demo-error">
          Could not load the clients: {error}
        </p>
      )}
      {apiKey && (
        <ClientView key={apiKey} apiKey={apiKey} plan={clients.find((c) => c.apiKey === apiKey)?.plan} />
      )}
      <footer className="demo-footer">
        Endpoints: <code>GET /api/fetch-data</code> (1 credit), <code>GET /api/fetch-expensive-data</code> (5
        credits), authenticated by <code>X-API-Key</code>.
      </footer>
    </div>
  )
}
