import type { BalanceGrantJson } from './balance-body.js'
import type { Formatters } from './use-formatters.js'

/** Props of {@link CreditGrantItem}. */
export interface CreditGrantItemProps {
  /** The grant to show. */
  readonly grant: BalanceGrantJson
  /** The current time (epoch ms): a grant starting later is pending. */
  readonly now: number
  /** The viewer's formatters. */
  readonly format: Formatters
}

/** Whether a grant is pending at `now`: not effective yet, so not counted in the balance. */
export function isPendingGrant(grant: BalanceGrantJson, now: number): boolean {
  return Date.parse(grant.effectiveAt) > now
}

/**
 * One prepaid grant of a `<CreditBalance>` as a list item: "300 of 500 credits left", a "pending" badge
 * and "usable from …" while it has not started, and its expiry ("expires …" in a `<time>`, or "never
 * expires"), then its note. Used by `<CreditBalance>`.
 */
export function CreditGrantItem({ grant, now, format }: CreditGrantItemProps) {
  const pending = isPendingGrant(grant, now)
  const { expiresAt } = grant
  return (
    <li
      className={pending ? 'abq-grant abq-grant--pending' : 'abq-grant'}
      data-grant-id={grant.id}
      data-pending={pending || undefined}
    >
      <div className="abq-window-head">
        <span className="abq-grant-credits">
          <strong>{format.number(grant.remaining)}</strong> of {format.number(grant.credits)} credits left
        </span>
        {pending && <span className="abq-badge abq-badge--pending">pending</span>}
      </div>
      <p className="abq-grant-dates">
        {pending && (
          <>
            usable from <time dateTime={grant.effectiveAt}>{format.dateTime(grant.effectiveAt)}</time>
            {', '}
          </>
        )}
        {expiresAt === undefined ? (
          'never expires'
        ) : (
          <>
            expires <time dateTime={expiresAt}>{format.dateTime(expiresAt)}</time>
          </>
        )}
      </p>
      {grant.note !== undefined && grant.note !== '' && <p className="abq-grant-note">{grant.note}</p>}
    </li>
  )
}
