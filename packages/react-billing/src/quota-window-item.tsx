import type { ReactNode } from 'react'
import type { QuotaWindowView } from './quota-status-view.js'
import type { Formatters } from './use-formatters.js'
import { windowHeadroom, windowOverflow } from './window-headroom.js'
import { overageText, WindowOverage } from './window-overage.js'
import { renewText, WindowRenewal } from './window-renewal.js'

/** Props of {@link QuotaWindowItem}. */
export interface QuotaWindowItemProps {
  /** The window to show. */
  readonly window: QuotaWindowView
  /** Whether it is the client's tightest window (emphasised). */
  readonly tightest: boolean
  /** The status's prepaid balance (`null`: none), for a window paid from it past its limit. */
  readonly balance: number | null
  /** The server's current time (epoch ms), for the countdown. */
  readonly serverNow: number
  /** The viewer's formatters. */
  readonly format: Formatters
}

/** Below this share of the limit left, a window is "low" (`abq-window--low`). */
const LOW_FRACTION = 0.1

/** The badge of an overflow window past its limit: says in words what the distinct style shows. */
const OVER_BADGE = { bill: 'overage', balance: 'paid from balance' } as const

/** A limited window item's class names, from its states. */
function windowClasses(states: {
  readonly tightest: boolean
  readonly low: boolean
  readonly exhausted: boolean
  readonly over: 'bill' | 'balance' | undefined
}): string {
  const { tightest, low, exhausted, over } = states
  const classes = [
    'abq-window',
    tightest && 'abq-window--tightest',
    low && 'abq-window--low',
    exhausted && 'abq-window--exhausted',
    over && 'abq-window--over',
    over === 'bill' && 'abq-window--overage',
    over === 'balance' && 'abq-window--from-balance',
  ]
  return classes.filter(Boolean).join(' ')
}

/**
 * One window of a `<QuotaMeter>` as a list item: its name, "N of M credits left" (or "Unlimited"),
 * a `role="meter"` bar and the renewal, relative and absolute. Used by `<QuotaMeter>`.
 *
 * The meter reports credits left, so its value stays within 0…`limit` even when an overflow window
 * (`overflow: 'bill'` or `'balance'`) has gone past its limit: it then reads 0, and the credits over
 * the limit are told in its `aria-valuetext`, in a badge, in a line of text ({@link WindowOverage}) and
 * by the `abq-window--over` class (with `--overage` or `--from-balance`).
 */
export function QuotaWindowItem({ window: w, tightest, balance, serverNow, format }: QuotaWindowItemProps) {
  const name = `${w.duration} window`
  const renew = renewText(w.resetAt, serverNow)
  const renewal = <WindowRenewal resetAt={w.resetAt} renew={renew} format={format} />
  if (w.limit === null || w.remaining === null) {
    return <UnlimitedWindowItem window={w} name={name} renewal={renewal} format={format} />
  }
  const limit = w.limit
  const remaining = Math.min(Math.max(w.remaining, 0), limit)
  const state = windowOverflow(w)
  const over = state.overflow !== 'reject' && state.over > 0 ? state.overflow : undefined
  const exhausted = windowHeadroom(w, balance) < 1
  const fraction = limit > 0 ? remaining / limit : 0
  const low = !exhausted && over === undefined && fraction <= LOW_FRACTION
  const credits = `${format.number(remaining)} of ${format.number(limit)} credits left`
  const overText = overageText(state, format)
  return (
    <li
      className={windowClasses({ tightest, low, exhausted, over })}
      data-duration={w.duration}
      data-tightest={tightest || undefined}
      data-exhausted={exhausted || undefined}
      data-overflow={state.overflow === 'reject' ? undefined : state.overflow}
    >
      <div className="abq-window-head">
        <span className="abq-window-name">{name}</span>
        {tightest && <span className="abq-badge abq-badge--tightest">tightest limit</span>}
        {over && <span className="abq-badge abq-badge--over">{OVER_BADGE[over]}</span>}
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
        aria-valuetext={[credits, overText, renew].filter(Boolean).join(', ')}
      >
        <div className="abq-bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      <p className="abq-window-credits">
        <strong>{format.number(remaining)}</strong> of {format.number(limit)} credits left
      </p>
      {state.overflow !== 'reject' && (
        <WindowOverage name={name} state={state} balance={balance} format={format} />
      )}
      {renewal}
    </li>
  )
}

/** An unlimited window's item: its name, "Unlimited credits, N used this period" and the renewal; no meter. */
function UnlimitedWindowItem(props: {
  readonly window: QuotaWindowView
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
