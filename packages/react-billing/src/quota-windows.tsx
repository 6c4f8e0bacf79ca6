import type { QuotaStatusBody } from '@x/api-billing-core'
import { formatCountdown } from './format-countdown.js'
import { QuotaWindowItem } from './quota-window-item.js'
import { tightestWindow } from './tightest-window.js'
import type { Formatters } from './use-formatters.js'

/** Props of {@link QuotaWindows}. */
export interface QuotaWindowsProps {
  /** The status to show. */
  readonly status: QuotaStatusBody
  /** The error of a failed refetch, shown above the last known numbers. */
  readonly error: Error | undefined
  /** The server's current time (epoch ms), for the countdowns. */
  readonly serverNow: number
  /** The viewer's formatters. */
  readonly format: Formatters
}

/**
 * The body of a `<QuotaMeter>` with a status: an "Out of credits" notice (`role="status"`) when the
 * tightest window is exhausted, a stale-data note (`role="alert"`) after a failed refetch, and the list
 * of windows, the tightest emphasised when there is another limited window to compare it with.
 */
export function QuotaWindows({ status, error, serverNow, format }: QuotaWindowsProps) {
  if (status.windows.length === 0) return <p className="abq-message">No quota limits apply.</p>
  const tightest = tightestWindow(status.windows)
  const emphasise = status.windows.filter((w) => w.limit !== null).length > 1
  const exhausted = tightest !== undefined && tightest.remaining !== null && tightest.remaining < 1
  const renewsIn = tightest === undefined ? 0 : Date.parse(tightest.resetAt) - serverNow
  return (
    <>
      {exhausted && (
        <p className="abq-message abq-message--exhausted" role="status">
          Out of credits. The {tightest.duration} window{' '}
          {renewsIn > 0 ? `renews in ${formatCountdown(renewsIn)}` : 'is renewing now'}.
        </p>
      )}
      {error && (
        <p className="abq-message abq-message--stale" role="alert">
          Showing the last known credits: {error.message}
        </p>
      )}
      <ul className="abq-windows">
        {status.windows.map((w) => (
          <QuotaWindowItem
            key={w.duration}
            window={w}
            tightest={emphasise && w === tightest}
            serverNow={serverNow}
            format={format}
          />
        ))}
      </ul>
    </>
  )
}
