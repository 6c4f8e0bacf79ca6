import type { DailyUsageBody } from '@x/api-billing-core'
import { type ReactNode, useId } from 'react'
import type { Fetcher } from './fetch-json.js'
import type { HeadingLevel } from './heading-level.js'
import { niceTicks } from './nice-ticks.js'
import { useDailyUsage } from './use-daily-usage.js'
import { useFormatters } from './use-formatters.js'

/** Props of {@link UsageChart}. Give either `data` or `src`. */
export interface UsageChartProps {
  /** A daily-usage report to draw; when given, `src` is not fetched. */
  readonly data?: DailyUsageBody | undefined
  /** The daily-usage route's URL, fetched on mount. */
  readonly src?: string | undefined
  /** With `src`: milliseconds between polls; `0` (default) = no polling. */
  readonly refreshInterval?: number
  /** With `src`: refetch on window focus. Default `true`. */
  readonly refetchOnFocus?: boolean
  /** With `src`: loads it; default global `fetch` with same-origin cookies. */
  readonly fetcher?: Fetcher
  /** Heading and chart title. Default `"Daily usage"`. */
  readonly title?: string
  /** Heading element level. Default `3` (`<h3>`). */
  readonly headingLevel?: HeadingLevel
  /** Drawing width in SVG units (the chart scales down to its container). Default `640`. */
  readonly width?: number
  /** Drawing height in SVG units. Default `240`. */
  readonly height?: number
  /** BCP 47 locale for numbers and dates; default the viewer's. */
  readonly locale?: string
  /** Extra class names on the root `<section>`. */
  readonly className?: string
}

const MARGIN = { top: 28, right: 12, bottom: 32, left: 52 }
/** Minimum horizontal room per date label, in SVG units. */
const LABEL_ROOM = 64

/**
 * Daily usage as a bar chart in plain SVG: one bar per local day, a credits axis with round ticks,
 * date labels, a title and summary for screen readers, a tooltip per bar, and the same numbers as a
 * table (in a `<details>` disclosure, so everyone can reach it). Loading, error and empty states included.
 */
export function UsageChart(props: UsageChartProps) {
  const { data: given, src, refreshInterval, refetchOnFocus, fetcher, locale, className } = props
  const { title = 'Daily usage', headingLevel = 3, width = 640, height = 240 } = props
  const fetched = useDailyUsage(given === undefined ? src : undefined, {
    refreshInterval,
    refetchOnFocus,
    fetcher,
  })
  const data = given ?? fetched.data
  const error = given === undefined ? fetched.error : undefined
  const format = useFormatters(locale)
  const headingId = useId()
  const chartTitleId = useId()
  const descId = useId()
  const Heading = `h${headingLevel}` as const

  let body: ReactNode
  if (data === undefined) {
    body = error ? (
      <div className="abq-message abq-message--error" role="alert">
        <p>Could not load usage: {error.message}</p>
        <button type="button" className="abq-retry" onClick={() => void fetched.refetch()}>
          Try again
        </button>
      </div>
    ) : (
      <p className="abq-message abq-message--loading">Loading usage…</p>
    )
  } else if (data.days.every((d) => d.credits === 0)) {
    body = <p className="abq-message abq-message--empty">No usage in this period.</p>
  } else {
    const { days } = data
    const first = days[0]
    const last = days.at(-1)
    const peak = days.reduce((a, b) => (b.credits > a.credits ? b : a))
    const total = days.reduce((sum, d) => sum + d.credits, 0)
    const ticks = niceTicks(peak.credits)
    const top = ticks.at(-1) as number
    const plotWidth = width - MARGIN.left - MARGIN.right
    const plotHeight = height - MARGIN.top - MARGIN.bottom
    const band = plotWidth / days.length
    const labelEvery = Math.max(1, Math.ceil(LABEL_ROOM / band))
    const y = (credits: number) => MARGIN.top + plotHeight * (1 - Math.max(0, credits) / top)
    const summary = `${first && last ? `${format.longDay(first.date)} to ${format.longDay(last.date)}: ` : ''}${format.number(total)} credits in total, most on ${format.longDay(peak.date)} (${format.number(peak.credits)}).`
    body = (
      <>
        <svg
          className="abq-chart"
          role="img"
          aria-labelledby={`${chartTitleId} ${descId}`}
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          preserveAspectRatio="xMinYMin meet"
        >
          <title id={chartTitleId}>{title}</title>
          <desc id={descId}>{summary}</desc>
          <g className="abq-chart-axis abq-chart-axis--y">
            {ticks.map((t) => (
              <g key={t}>
                <line
                  className="abq-chart-grid"
                  x1={MARGIN.left}
                  x2={width - MARGIN.right}
                  y1={y(t)}
                  y2={y(t)}
                />
                <text x={MARGIN.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
                  {format.number(t)}
                </text>
              </g>
            ))}
            <text className="abq-chart-unit" x={MARGIN.left - 6} y={MARGIN.top - 14} textAnchor="end">
              credits
            </text>
          </g>
          <g className="abq-chart-bars">
            {days.map((d, i) => {
              const barY = y(d.credits)
              return (
                <rect
                  key={d.date}
                  className="abq-chart-bar"
                  data-date={d.date}
                  x={MARGIN.left + i * band + band * 0.1}
                  y={barY}
                  width={Math.max(1, band * 0.8)}
                  height={MARGIN.top + plotHeight - barY}
                >
                  <title>{`${format.longDay(d.date)}: ${format.number(d.credits)} credits`}</title>
                </rect>
              )
            })}
          </g>
          <g className="abq-chart-axis abq-chart-axis--x">
            <line
              className="abq-chart-baseline"
              x1={MARGIN.left}
              x2={width - MARGIN.right}
              y1={MARGIN.top + plotHeight}
              y2={MARGIN.top + plotHeight}
            />
            {days.map((d, i) =>
              i % labelEvery === 0 ? (
                <text
                  key={d.date}
                  x={MARGIN.left + (i + 0.5) * band}
                  y={height - MARGIN.bottom + 18}
                  textAnchor="middle"
                >
                  {format.day(d.date)}
                </text>
              ) : null,
            )}
          </g>
        </svg>
        <details className="abq-chart-details">
          <summary>Show as table</summary>
          <table className="abq-table">
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Credits</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.date}>
                  <th scope="row">
                    <time dateTime={d.date}>{format.longDay(d.date)}</time>
                  </th>
                  <td>{format.number(d.credits)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td>{format.number(total)}</td>
              </tr>
            </tfoot>
          </table>
        </details>
      </>
    )
  }

  return (
    <section
      className={['abq-usage', className].filter(Boolean).join(' ')}
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
