import { formatCountdown } from './format-countdown.js'
import type { QuotaStatusView } from './quota-status-view.js'
import { QuotaWindowItem } from './quota-window-item.js'
import { compareTightness, type LimitedWindow, tightestWindow } from './tightest-window.js'
import type { Formatters } from './use-formatters.js'
import { windowHeadroom } from './window-headroom.js'

/** Props of {@link QuotaWindows}. */
export interface QuotaWindowsProps {
  /** The status to show. */
  readonly status: QuotaStatusView
  /** The error of a failed refetch, shown above the last known numbers. */
  readonly error: Error | undefined
  /** The server's current time (epoch ms), for the countdowns. */
  readonly serverNow: number
  /** The viewer's formatters. */
  readonly format: Formatters
}

/**
 * The window that blocks requests now: of the windows that cannot take one more credit (counting what
 * an overflow window may still take past its limit), the tightest; `undefined` when none blocks.
 */
function blockingWindow(status: QuotaStatusView): LimitedWindow | undefined {
  const blocked = status.windows.filter(
    (w): w is LimitedWindow =>
      w.limit !== null && w.remaining !== null && windowHeadroom(w, status.balance) < 1,
  )
  return blocked.sort(compareTightness)[0]
}

/**
 * The body of a `<QuotaMeter>` with a status: an "Out of credits" notice (`role="status"`) when a
 * window blocks requests (an overflow window past its limit does not, while its overage allowance or the
 * prepaid balance lasts), a stale-data note (`role="alert"`) after a failed refetch, and the list of
 * windows, the tightest emphasised when there is another limited window to compare it with.
 */
export function QuotaWindows({ status, error, serverNow, format }: QuotaWindowsProps) {
  if (status.windows.length === 0) return <p className="abq-message">No quota limits apply.</p>
  const tightest = tightestWindow(status.windows)
  const emphasise = status.windows.filter((w) => w.limit !== null).length > 1
  const blocking = blockingWindow(status)
  const renewsIn = blocking === undefined ? 0 : Date.parse(blocking.resetAt) - serverNow
  const balance = status.balance ?? null
  return (
    <>
      {blocking && (
        <p className="abq-message abq-message--exhausted" role="status">
          {blocking.overflow === 'balance' ? 'Out of credits and prepaid balance.' : 'Out of credits.'} The{' '}
          {blocking.duration} window{' '}
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
            balance={balance}
            serverNow={serverNow}
            format={format}
          />
        ))}
      </ul>
    </>
  )
}
