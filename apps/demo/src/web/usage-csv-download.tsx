import { useState } from 'react'

/** The first instant of the current UTC month and of the next, as the export's range. */
function thisMonth(now: Date): { from: string; to: string } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
  return { from: from.toISOString(), to: to.toISOString() }
}

/**
 * "Download CSV": this month's usage of the client, per day, from the usage export route (which needs the
 * API key header, so the file is fetched and handed to the browser as a download).
 */
export function UsageCsvDownload({ apiKey }: { readonly apiKey: string }) {
  const [error, setError] = useState<string>()

  async function download() {
    setError(undefined)
    const query = new URLSearchParams({ ...thisMonth(new Date()), granularity: 'day', timeZone: 'UTC' })
    const response = await fetch(`/api/billing/usage/export?${query}`, {
      headers: { 'X-API-Key': apiKey, accept: 'text/csv' },
    })
    if (!response.ok) {
      setError(`Export failed: ${response.status}`)
      return
    }
    const url = URL.createObjectURL(await response.blob())
    const link = document.createElement('a')
    link.href = url
    link.download = `usage-${apiKey}-${query.get('from')?.slice(0, 7)}.csv`
    link.click()
    URL.revokeObjectURL(url)
  }

  return (
    <p className="demo-download">
      <button type="button" className="demo-link-button" onClick={() => void download()}>
        Download this month's usage (CSV)
      </button>
      {error && (
        <span role="alert" className="demo-error">
          {' '}
          {error}
        </span>
      )}
    </p>
  )
}
