import { type ApiCall, SHOWN_HEADERS } from './call-api.js'

function statusClass(status: number): string {
  if (status === 429 || status === 402) return 'demo-status demo-status--limited'
  return status < 400 ? 'demo-status demo-status--ok' : 'demo-status demo-status--error'
}

/** The last response in full (status, rate-limit headers, body) and a short log of earlier ones. */
export function ResponsePanel({ calls }: { readonly calls: readonly ApiCall[] }) {
  const [last, ...earlier] = calls
  if (last === undefined) return <p className="demo-muted">No calls yet: press a button.</p>
  return (
    <div className="demo-response" aria-live="polite">
      <h3>
        Last response{' '}
        <span className={statusClass(last.status)} data-testid="last-status">
          {last.status}
        </span>{' '}
        <code>{last.path}</code>
      </h3>
      <dl className="demo-headers" data-testid="last-headers">
        {SHOWN_HEADERS.filter((h) => last.headers.has(h)).map((h) => (
          <div key={h}>
            <dt>{h}</dt>
            <dd>
              <code>{last.headers.get(h)}</code>
            </dd>
          </div>
        ))}
      </dl>
      {/* A named, focusable region, so that a keyboard can scroll a long body (axe: scrollable-region-focusable). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <section className="demo-body" tabIndex={0} aria-label="Response body">
        <pre>{JSON.stringify(last.body, null, 2)}</pre>
      </section>
      {earlier.length > 0 && (
        <details>
          <summary>Earlier calls ({earlier.length})</summary>
          <ol className="demo-log">
            {earlier.map((c) => (
              <li key={c.id}>
                <span className={statusClass(c.status)}>{c.status}</span> <code>{c.path}</code>{' '}
                <time dateTime={c.at.toISOString()}>{c.at.toLocaleTimeString()}</time>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  )
}
