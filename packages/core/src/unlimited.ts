/**
 * The credit limit of a window that never runs out. It is `Number.POSITIVE_INFINITY`, so the usual
 * arithmetic holds (`remaining` of an unlimited window is also `UNLIMITED`); JSON bodies render it as
 * `null`. An unlimited window is still counted (its `used` grows) but never rejects a request and is
 * never the tightest window.
 */
export const UNLIMITED: number = Number.POSITIVE_INFINITY

/** Returns `true` for the {@link UNLIMITED} limit. */
export function isUnlimited(limit: number): boolean {
  return limit === UNLIMITED
}
