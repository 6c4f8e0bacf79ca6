import type { Fetcher } from './fetch-json.js'
import type { HeadingLevel } from './heading-level.js'
import type { QuotaStatusSource } from './quota-status-source.js'
import type { QuotaStatusView } from './quota-status-view.js'
import { QuotaWindows } from './quota-windows.js'
import { useFormatters } from './use-formatters.js'
import { useQuotaStatus } from './use-quota-status.js'
import { useServerNow } from './use-server-now.js'
import { WidgetShell } from './widget-shell.js'

/** Props of {@link QuotaMeter}. Give either `status` or `src`. */
export interface QuotaMeterProps {
  /** A status to show (e.g. from your own `useQuotaStatus`); when given, `src` is not fetched. */
  readonly status?: QuotaStatusView | undefined
  /** The status route's URL, fetched and kept fresh, or a shared `QuotaStatusSource`. */
  readonly src?: string | QuotaStatusSource | undefined
  /** With a URL `src`: milliseconds between polls; `0` (default) = no polling. */
  readonly refreshInterval?: number
  /** With a URL `src`: refetch on window focus. Default `true`. */
  readonly refetchOnFocus?: boolean
  /** With a URL `src`: loads it; default global `fetch` with same-origin cookies. */
  readonly fetcher?: Fetcher
  /** BCP 47 locale for numbers and dates; default the viewer's. */
  readonly locale?: string
  /** IANA time zone of the absolute renewal time; default the viewer's. */
  readonly timeZone?: string
  /** Heading text. Default `"API credits"`. */
  readonly title?: string
  /** Heading element level. Default `3` (`<h3>`). */
  readonly headingLevel?: HeadingLevel
  /** Milliseconds between updates of the live countdown; `0` freezes it. Default `1000`. */
  readonly tickInterval?: number
  /** Extra class names on the root `<section>`. */
  readonly className?: string
}

/**
 * Shows a client's credits: per quota window, "N of M credits left" with a `role="meter"` bar (or
 * "Unlimited"), and when it renews, as a live countdown against the server's clock ("renews in 3 h 12
 * min") and as an absolute time in the viewer's time zone. The tightest window is emphasised; an
 * exhausted client gets a notice. Loading and error states included (with a retry button for `src`).
 *
 * Server-rendering safe: it touches no browser global while rendering, and the countdown and dates
 * render the same on the server and the hydrating client, then go live after mount.
 * Styled by `abq-*` class names and `--abq-*` CSS variables (`@x/api-billing-react/styles.css`).
 */
export function QuotaMeter(props: QuotaMeterProps) {
  const { status, src, refreshInterval, refetchOnFocus, fetcher, locale, timeZone } = props
  const { title = 'API credits', headingLevel = 3, tickInterval = 1000, className } = props
  const fetched = useQuotaStatus(status === undefined ? src : undefined, {
    refreshInterval,
    refetchOnFocus,
    fetcher,
  })
  const data = status ?? fetched.data
  const error = status === undefined ? fetched.error : undefined
  const format = useFormatters(locale, timeZone)
  const serverNow = useServerNow(data?.at ?? '1970-01-01T00:00:00Z', tickInterval)
  return (
    <WidgetShell
      rootClass="abq-meter"
      className={className}
      title={title}
      headingLevel={headingLevel}
      data={data}
      error={error}
      noun="credits"
      onRetry={() => void fetched.refetch()}
    >
      {(shown) => <QuotaWindows status={shown} error={error} serverNow={serverNow} format={format} />}
    </WidgetShell>
  )
}
