import {
  CreditBalance,
  QuotaMeter,
  UsageChart,
  useBalance,
  useDailyUsage,
  useQuotaStatus,
} from '@x/api-billing-react'
import { useMemo, useState } from 'react'
import { AlertLogPanel } from './alert-log-panel.js'
import { type ApiCall, callApi, keyedFetcher } from './call-api.js'
import { ResponsePanel } from './response-panel.js'
import { TopUpPanel } from './top-up-panel.js'
import { UsageCsvDownload } from './usage-csv-download.js'

const ENDPOINTS = [
  { path: '/api/fetch-data', label: 'Fetch data', cost: 1 },
  { path: '/api/fetch-expensive-data', label: 'Fetch expensive data', cost: 5 },
] as const
const BURST = 10

function lastDays(days: number): string {
  const to = new Date()
  to.setUTCHours(24, 0, 0, 0)
  const from = new Date(to.getTime() - days * 86_400_000)
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), timeZone })
  return `/api/billing/usage/daily?${query}`
}

/** Everything about one client: the call buttons, its meters, the last response and the daily chart. */
export function ClientView({ apiKey, plan }: { readonly apiKey: string; readonly plan: string | undefined }) {
  const fetcher = useMemo(() => keyedFetcher(apiKey), [apiKey])
  const status = useQuotaStatus('/api/billing/quota', { fetcher, refreshInterval: 15_000 })
  const usageUrl = useMemo(() => lastDays(14), [])
  const usage = useDailyUsage(usageUrl, { fetcher })
  const balance = useBalance('/api/billing/balance', { fetcher, refreshInterval: 15_000 })
  const [calls, setCalls] = useState<readonly ApiCall[]>([])
  const [busy, setBusy] = useState(false)
  const [refresh, setRefresh] = useState(0)

  async function run(path: string, times: number) {
    setBusy(true)
    try {
      const results = await Promise.all(Array.from({ length: times }, () => callApi(path, apiKey)))
      const last = results[results.length - 1]
      if (last !== undefined) {
        status.updateFromHeaders(last.headers)
        balance.updateFromHeaders(last.headers)
      }
      setCalls((previous) => [...results.reverse(), ...previous].slice(0, 50))
    } finally {
      setBusy(false)
      void status.refetch()
      void usage.refetch()
      void balance.refetch()
      setRefresh((n) => n + 1)
    }
  }

  return (
    <main className="demo-grid">
      <section className="demo-card demo-actions" aria-labelledby="actions-title">
        <h2 id="actions-title">Call the API</h2>
        <p className="demo-muted">
          As <code>{apiKey}</code>
          {plan && (
            <>
              {' '}
              on the <strong>{plan}</strong> plan
            </>
          )}
          .
        </p>
        <div className="demo-buttons">
          {ENDPOINTS.map((e) => (
            <div key={e.path} className="demo-button-row">
              <button type="button" disabled={busy} onClick={() => void run(e.path, 1)}>
                {e.label} <span className="demo-cost">{e.cost} cr</span>
              </button>
              <button
                type="button"
                className="demo-secondary"
                disabled={busy}
                onClick={() => void run(e.path, BURST)}
              >
                Burst ×{BURST}
              </button>
            </div>
          ))}
        </div>
        <ResponsePanel calls={calls} />
        <TopUpPanel
          apiKey={apiKey}
          onGranted={() => {
            void balance.refetch()
            void status.refetch()
          }}
        />
      </section>
      <div className="demo-side">
        <div className="demo-card">
          <QuotaMeter status={status.data} title="Credits left" headingLevel={2} />
          {status.error && (
            <p role="alert" className="demo-error">
              {status.error.message}
            </p>
          )}
        </div>
        <div className="demo-card">
          <CreditBalance src={balance.source} title="Prepaid credits" headingLevel={2} />
        </div>
        <div className="demo-card">
          <AlertLogPanel apiKey={apiKey} refresh={refresh} />
        </div>
        <div className="demo-card">
          <UsageChart data={usage.data} title="Daily usage, last 14 days" headingLevel={2} />
          <UsageCsvDownload apiKey={apiKey} />
        </div>
      </div>
    </main>
  )
}
