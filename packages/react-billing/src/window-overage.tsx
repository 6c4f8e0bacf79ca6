import type { Formatters } from './use-formatters.js'
import type { WindowOverflow } from './window-headroom.js'

/** Props of {@link WindowOverage}. */
export interface WindowOverageProps {
  /** The window's name, e.g. `"day window"` (labels the overage meter). */
  readonly name: string
  /** The window's overflow state; `overflow` is `'bill'` or `'balance'`. */
  readonly state: WindowOverflow
  /** Prepaid credits available; `null` when the plan has no balance. */
  readonly balance: number | null
  /** The viewer's formatters. */
  readonly format: Formatters
}

/**
 * What an overflow window's credits past its limit came from, as text: `"120 credits over the limit,
 * billed as overage"` or `"… paid from prepaid balance"`; `undefined` when the window is within its limit.
 * Used in the window's `aria-valuetext` and, with numbers emphasised, by {@link WindowOverage}.
 */
export function overageText(state: WindowOverflow, format: Formatters): string | undefined {
  if (state.over <= 0) return undefined
  const how = state.overflow === 'bill' ? 'billed as overage' : 'paid from prepaid balance'
  return `${format.number(state.over)} credits over the limit, ${how}`
}

/**
 * An overflow window's line below its meter. Past the limit: the credits over it and what paid for them,
 * with, for billed overage capped by `overageLimit`, a second `role="meter"` of the allowance used
 * (its value stays within its own 0…`overageLimit`, as the main meter's stays within 0…`limit`).
 * Within the limit: what happens past it. The prepaid balance left is added for a `'balance'` window.
 */
export function WindowOverage({ name, state, balance, format }: WindowOverageProps) {
  const { overflow, overageLimit, over } = state
  const left =
    overflow === 'balance' && balance !== null ? `, ${format.number(balance)} left in the balance` : ''
  if (over <= 0) {
    const then = overflow === 'bill' ? 'billed as overage' : 'paid from prepaid balance'
    const cap = overflow === 'bill' && overageLimit !== null ? ` (up to ${format.number(overageLimit)})` : ''
    return <p className="abq-window-overflow">{`Past the limit: ${then}${cap}${left}.`}</p>
  }
  const capped = overflow === 'bill' && overageLimit !== null && overageLimit > 0
  const used = capped ? Math.min(over, overageLimit) : over
  const allowance = capped ? ` of ${format.number(overageLimit)} allowed` : ''
  return (
    <div className="abq-window-overage">
      <p className="abq-window-overflow">
        <strong>{format.number(over)}</strong>
        {` credits over the limit${allowance}, ${overflow === 'bill' ? 'billed as overage' : 'paid from prepaid balance'}${left}.`}
      </p>
      {capped && (
        // biome-ignore lint/a11y/useSemanticElements: styled like the window's own meter (see QuotaWindowItem)
        <div
          className="abq-bar abq-bar--overage"
          role="meter"
          aria-label={`${name} overage`}
          aria-valuemin={0}
          aria-valuemax={overageLimit}
          aria-valuenow={used}
          aria-valuetext={`${format.number(used)} of ${format.number(overageLimit)} overage credits used`}
        >
          <div className="abq-bar-fill" style={{ width: `${((used / overageLimit) * 100).toFixed(2)}%` }} />
        </div>
      )}
    </div>
  )
}
