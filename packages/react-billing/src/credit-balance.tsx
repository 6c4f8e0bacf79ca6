import type { BalanceBody } from './balance-body.js'
import type { BalanceSource } from './balance-source.js'
import { CreditGrantItem, isPendingGrant } from './credit-grant-item.js'
import type { Fetcher } from './fetch-json.js'
import type { HeadingLevel } from './heading-level.js'
import { LowBalanceNotice } from './low-balance-notice.js'
import { useBalance } from './use-balance.js'
import { useClientNow } from './use-client-now.js'
import { type Formatters, useFormatters } from './use-formatters.js'
import { WidgetShell } from './widget-shell.js'

/** Props of {@link CreditBalance}. Give either `balance` or `src`. */
export interface CreditBalanceProps {
  /** A balance to show (e.g. from your own `useBalance`); when given, `src` is not fetched. */
  readonly balance?: BalanceBody | undefined
  /** The balance route's URL, fetched and kept fresh, or a shared `BalanceSource`. */
  readonly src?: string | BalanceSource | undefined
  /** With a URL `src`: milliseconds between polls; `0` (default) = no polling. */
  readonly refreshInterval?: number
  /** With a URL `src`: refetch on window focus. Default `true`. */
  readonly refetchOnFocus?: boolean
  /** With a URL `src`: loads it; default global `fetch` with same-origin cookies. */
  readonly fetcher?: Fetcher
  /** Credits at or below which the balance is low. Default: the body's `lowBalance`, else never low. */
  readonly lowBalance?: number
  /** BCP 47 locale for numbers and dates; default the viewer's. */
  readonly locale?: string
  /** IANA time zone of the grants' dates; default the viewer's. */
  readonly timeZone?: string
  /** Heading text. Default `"Prepaid credits"`. */
  readonly title?: string
  /** Heading element level. Default `3` (`<h3>`). */
  readonly headingLevel?: HeadingLevel
  /** Milliseconds between re-reads of the clock that turns pending grants effective; `0` never. Default `60000`. */
  readonly tickInterval?: number
  /** Extra class names on the root `<section>`. */
  readonly className?: string
}

/**
 * A time the server had reached, known to both sides (epoch ms): the body's `at`, else (an older server)
 * the newest `grantedAt`.
 */
function serverInstant(balance: BalanceBody | undefined): number {
  const at = balance?.at === undefined ? Number.NaN : Date.parse(balance.at)
  if (!Number.isNaN(at)) return at
  let newest = 0
  for (const g of balance?.grants ?? []) newest = Math.max(newest, Date.parse(g.grantedAt) || 0)
  return newest
}

/**
 * Shows a client's prepaid credits: the credits available now (and how many are pending), a low-balance
 * notice (words and an icon, not colour alone) when they are at or below `lowBalance`, and the grants
 * in spending order, each with its credits left, its expiry and, before it starts, a "pending" badge.
 * Loading and error states included (with a retry button for `src`).
 *
 * Server-rendering safe: nothing touches a browser global while rendering; dates print in UTC and
 * `en-US` until hydration, and "pending" is judged against the server's clock (the body's `at`, else the newest grant's `grantedAt`) until then
 * (the viewer's clock afterwards). Styled by `abq-*` class names and the `--abq-*` CSS variables.
 */
export function CreditBalance(props: CreditBalanceProps) {
  const { balance, src, refreshInterval, refetchOnFocus, fetcher, locale, timeZone } = props
  const { title = 'Prepaid credits', headingLevel = 3, tickInterval = 60_000, className } = props
  const fetched = useBalance(balance === undefined ? src : undefined, {
    refreshInterval,
    refetchOnFocus,
    fetcher,
  })
  const data = balance ?? fetched.data
  const error = balance === undefined ? fetched.error : undefined
  const format = useFormatters(locale, timeZone)
  const now = useClientNow(serverInstant(data), tickInterval)
  return (
    <WidgetShell
      rootClass="abq-balance"
      className={className}
      title={title}
      headingLevel={headingLevel}
      data={data}
      error={error}
      noun="balance"
      onRetry={() => void fetched.refetch()}
    >
      {(shown) => (
        <BalanceDetails
          balance={shown}
          error={error}
          threshold={props.lowBalance ?? shown.lowBalance}
          now={now}
          format={format}
        />
      )}
    </WidgetShell>
  )
}

/** A balance's notices, its available credits and its grants (or "No prepaid credits."). */
function BalanceDetails(props: {
  readonly balance: BalanceBody
  readonly error: Error | undefined
  readonly threshold: number | undefined
  readonly now: number
  readonly format: Formatters
}) {
  const { balance, error, threshold, now, format } = props
  const low = threshold !== undefined && balance.available <= threshold
  const pending = balance.grants.reduce((sum, g) => (isPendingGrant(g, now) ? sum + g.remaining : sum), 0)
  return (
    <div
      className={low ? 'abq-balance-body abq-balance-body--low' : 'abq-balance-body'}
      data-low={low || undefined}
    >
      {low && <LowBalanceNotice available={balance.available} threshold={threshold} format={format} />}
      {error && (
        <p className="abq-message abq-message--stale" role="alert">
          Showing the last known balance: {error.message}
        </p>
      )}
      <p className="abq-balance-available">
        <strong>{format.number(balance.available)}</strong> credits available
        {pending > 0 && `, ${format.number(pending)} pending`}
      </p>
      {balance.grants.length === 0 ? (
        <p className="abq-message abq-message--empty">No prepaid credits.</p>
      ) : (
        <ol className="abq-grants" aria-label="Grants, in spending order">
          {balance.grants.map((g) => (
            <CreditGrantItem key={g.id} grant={g} now={now} format={format} />
          ))}
        </ol>
      )}
    </div>
  )
}
