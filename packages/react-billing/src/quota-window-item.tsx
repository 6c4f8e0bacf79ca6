import type { QuotaWindowJson } from '@x/api-billing-core'
import type { ReactNode } from 'react'
import type { Formatters } from './use-formatters.js'
import { renewText, WindowRenewal } from './window-renewal.js'

/** Props of {@link QuotaWindowItem}. */
export interface QuotaWindowItemProps {
  /** The window to show. */
  readonly window: QuotaWindowJson
  /** Whether it is the client's tightest window (emphasised). */
  readonly tightest: boolean
  /** The server's current time (epoch ms), for the countdown. */
  readonly serverNow: number
  /** The viewer's formatters. */
  readonly format: Formatters
}

/** Below this share of the limit left, a window is "low" (`abq-window--low`). */
const LOW_FRACTION = 0.1

/**
 * One window of a `<QuotaMeter>` as a list item: its name, "N of M credits left" (or "Unlimited"),
 * a `role="meter"` bar and the renewal, relative and absolute. Used by `<QuotaMeter>`.
 */
export function QuotaWindowItem({ window: w, tightest, serverNow, format }: QuotaWindowItemProps) {
  const name = `${w.duration} window`
  const renew = renewText(w.resetAt, serverNow)
  const renewal = <WindowRenewal resetAt={w.resetAt} renew={renew} format={format} />
  if (w.limit === null || w.remaining === null) {
    return <UnlimitedWindowItem window={w} name={name} renewal={renewal} format={format} />
  }
  const limit = w.limit
  const remaining = Math.min(Math.max(w.remaining, 0), limit)
  const exhausted = w.remaining < 1
  const fraction = limit > 0 ? remaining / limit : 0
  const low = !exhausted && fraction <= LOW_FRACTION
  const credits = `${format.number(remaining)} of ${format.number(limit)} credits left`
  const classes = [
    'abq-window',
    tightest && 'abq-window--tightest',
    low && 'abq-window--low',
    exhausted && 'abq-window--exhausted',
  ]
  return (
    <li
      className={classes.filter(Boolean).join(' ')}
      data-duration={w.duration}
      data-tightest={tightest || undefined}
      data-exhausted={exhausted || undefined}
    >
      <div className="abq-window-head">
        <span className="abq-window-name">{name}</span>
        {tightest && <span className="abq-badge abq-badge--tightest">tightest limit</span>}
        {exhausted && <span className="abq-badge abq-badge--exhausted">exhausted</span>}
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a native <meter> cannot be styled consistently across browsers (vendor pseudo-elements only); the div carries the same semantics */}
      <div
        className="abq-bar"
        role="meter"
        aria-label={name}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={remaining}
        aria-valuetext={`${credits}, ${renew}`}
      >
        <div className="abq-bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      <p className="abq-window-credits">
        <strong>{format.number(remaining)}</strong> of {format.number(limit)} credits left
      </p>
      {renewal}
    </li>
  )
}

/** An unlimited window's item: its name, "Unlimited credits, N used this period" and the renewal; no meter. */
function UnlimitedWindowItem(props: {
  readonly window: QuotaWindowJson
  readonly name: string
  readonly renewal: ReactNode
  readonly format: Formatters
}) {
  const { window: w, name, renewal, format } = props
  return (
    <li className="abq-window abq-window--unlimited" data-duration={w.duration}>
      <div className="abq-window-head">
        <span className="abq-window-name">{name}</span>
      </div>
      <p className="abq-window-credits">
        <strong>Unlimited</strong> credits, {format.number(w.used)} used this period
      </p>
      {renewal}
    </li>
  )
}
