import type { Formatters } from './use-formatters.js'

/** Props of {@link LowBalanceNotice}. */
export interface LowBalanceNoticeProps {
  /** Credits available now. */
  readonly available: number
  /** The low-balance line the balance is at or below. */
  readonly threshold: number
  /** The viewer's formatters. */
  readonly format: Formatters
}

/**
 * The low-balance state of a `<CreditBalance>`, in words and not by colour alone: a `role="status"`
 * notice with a warning icon (decorative, hidden from assistive technology) and the text "Low balance:
 * 40 credits left, at or below 100." (or "No prepaid credits left." at zero).
 */
export function LowBalanceNotice({ available, threshold, format }: LowBalanceNoticeProps) {
  return (
    <p className="abq-message abq-message--low-balance" role="status">
      <svg
        className="abq-icon"
        aria-hidden="true"
        focusable="false"
        viewBox="0 0 16 16"
        width="16"
        height="16"
      >
        <path
          d="M8 1.5 15 14.5H1Z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
        <path d="M8 6v4M8 11.5v1.25" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
      <strong>Low balance:</strong>{' '}
      {available > 0
        ? `${format.number(available)} credits left, at or below ${format.number(threshold)}.`
        : 'no prepaid credits left.'}
    </p>
  )
}
