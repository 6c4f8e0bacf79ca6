import { type ReactNode, useId } from 'react'
import type { HeadingLevel } from './heading-level.js'

/** Props of {@link WidgetShell}. */
export interface WidgetShellProps<T> {
  /** The widget's own class on the root `<section>`, e.g. `"abq-meter"`. */
  readonly rootClass: string
  /** Extra class names on the root `<section>`. */
  readonly className?: string | undefined
  /** Heading text. */
  readonly title: string
  /** Heading element level. */
  readonly headingLevel: HeadingLevel
  /** The data to show; `undefined` until it arrives. */
  readonly data: T | undefined
  /** The last load's error, if any. */
  readonly error: Error | undefined
  /** What to load, in the loading and error messages, e.g. `"credits"`. */
  readonly noun: string
  /** Loads again; called by the error's "Try again" button. */
  readonly onRetry: () => void
  /** Renders the data once there is some. */
  readonly children: (data: T) => ReactNode
}

/**
 * The frame every widget shares: a `<section>` labelled by a real heading, busy (`aria-busy`) while
 * the first data loads, showing "Loading {noun}…" until then, or the error (`role="alert"`) with a
 * native "Try again" button when that first load failed. With data it renders `children(data)`.
 */
export function WidgetShell<T>(props: WidgetShellProps<T>) {
  const { rootClass, className, title, headingLevel, data, error, noun, onRetry, children } = props
  const headingId = useId()
  const Heading = `h${headingLevel}` as const
  let body: ReactNode
  if (data !== undefined) body = children(data)
  else if (error) {
    body = (
      <div className="abq-message abq-message--error" role="alert">
        <p>{`Could not load ${noun}: ${error.message}`}</p>
        <button type="button" className="abq-retry" onClick={onRetry}>
          Try again
        </button>
      </div>
    )
  } else body = <p className="abq-message abq-message--loading">{`Loading ${noun}…`}</p>
  return (
    <section
      className={[rootClass, className].filter(Boolean).join(' ')}
      aria-labelledby={headingId}
      aria-busy={data === undefined && error === undefined}
    >
      <Heading className="abq-title" id={headingId}>
        {title}
      </Heading>
      {body}
    </section>
  )
}
