import { formatCountdown } from './format-countdown.js'
import type { Formatters } from './use-formatters.js'

/** The renewal as text: `"renews in 3 h 12 min"`, or `"renewing now"` once the reset has passed. */
export function renewText(resetAt: string, serverNow: number): string {
  const ms = Date.parse(resetAt) - serverNow
  return ms > 0 ? `renews in ${formatCountdown(ms)}` : 'renewing now'
}

/** Props of {@link WindowRenewal}. */
export interface WindowRenewalProps {
  /** When the window renews (ISO-8601). */
  readonly resetAt: string
  /** The relative renewal, from {@link renewText}. */
  readonly renew: string
  /** The viewer's formatters. */
  readonly format: Formatters
}

/** When a quota window renews: the live countdown and, in brackets, the absolute time in a `<time>`. */
export function WindowRenewal({ resetAt, renew, format }: WindowRenewalProps) {
  return (
    <p className="abq-window-renew">
      <span className="abq-countdown">{renew}</span>{' '}
      <time className="abq-reset-at" dateTime={resetAt}>
        ({format.dateTime(resetAt)})
      </time>
    </p>
  )
}
