import { useId, useState } from 'react'

/**
 * The admin's "top up": grants the client prepaid credits through `POST /api/admin/clients/:id/credits`
 * with the admin token (the demo prints it at start-up). In a real application this is your payment
 * webhook calling `billing.grantCredits`.
 */
export function TopUpPanel({
  apiKey,
  onGranted,
}: {
  readonly apiKey: string
  readonly onGranted: () => void
}) {
  const id = useId()
  const [token, setToken] = useState('')
  const [credits, setCredits] = useState('50')
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string }>()
  const [busy, setBusy] = useState(false)

  async function topUp(event: React.FormEvent) {
    event.preventDefault()
    setBusy(true)
    try {
      const response = await fetch(`/api/admin/clients/${encodeURIComponent(apiKey)}/credits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ credits: Number(credits), note: 'top-up from the dashboard' }),
      })
      const body = (await response.json()) as { credits?: number; detail?: string }
      setMessage(
        response.ok
          ? { ok: true, text: `Granted ${body.credits} credits.` }
          : { ok: false, text: `${response.status}: ${body.detail ?? 'refused'}` },
      )
      if (response.ok) onGranted()
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="demo-top-up" onSubmit={(e) => void topUp(e)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Top up (admin)</h3>
      <label>
        <span>Admin token</span>
        <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
      </label>
      <label>
        <span>Credits</span>
        <input type="number" min="1" value={credits} onChange={(e) => setCredits(e.target.value)} />
      </label>
      <button type="submit" disabled={busy || token === ''}>
        Grant credits
      </button>
      {message && (
        <p role="status" className={message.ok ? 'demo-muted' : 'demo-error'}>
          {message.text}
        </p>
      )}
    </form>
  )
}
