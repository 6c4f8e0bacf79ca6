import type { DailyUsageBody } from '@x/api-billing-core'
import { chartGeometry } from './chart-geometry.js'
import type { Fetcher } from './fetch-json.js'
import type { HeadingLevel } from './heading-level.js'
import { UsageBars } from './usage-bars.js'
import { usageSummary } from './usage-summary.js'
import { UsageTable } from './usage-table.js'
import { useDailyUsage } from './use-daily-usage.js'
import { type Formatters, useFormatters } from './use-formatters.js'
import { WidgetShell } from './widget-shell.js'

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
  const format = useFormatters(locale)
  return (
    <WidgetShell
      rootClass="abq-usage"
      className={className}
      title={title}
      headingLevel={headingLevel}
      data={given ?? fetched.data}
      error={given === undefined ? fetched.error : undefined}
      noun="usage"
      onRetry={() => void fetched.refetch()}
    >
      {(data) => <UsageChartBody data={data} title={title} width={width} height={height} format={format} />}
    </WidgetShell>
  )
}

/** A report's chart and table, or "No usage in this period." when every day is zero. */
function UsageChartBody(props: {
  readonly data: DailyUsageBody
  readonly title: string
  readonly width: number
  readonly height: number
  readonly format: Formatters
}) {
  const { data, title, width, height, format } = props
  if (data.days.every((d) => d.credits === 0)) {
    return <p className="abq-message abq-message--empty">No usage in this period.</p>
  }
  return (
    <>
      <UsageBars
        geometry={chartGeometry(data.days, width, height)}
        width={width}
        height={height}
        title={title}
        summary={usageSummary(data.days, format)}
        format={format}
      />
      <UsageTable days={data.days} title={title} format={format} />
    </>
  )
}
