import { useId } from 'react'
import type { ChartGeometry } from './chart-geometry.js'
import type { Formatters } from './use-formatters.js'

/** Props of {@link UsageBars}. */
export interface UsageBarsProps {
  /** Where everything goes, from `chartGeometry`. */
  readonly geometry: ChartGeometry
  /** Drawing size in SVG units. */
  readonly width: number
  readonly height: number
  /** The chart's accessible name (its `<title>`). */
  readonly title: string
  /** The chart's accessible description (its `<desc>`). */
  readonly summary: string
  /** The viewer's formatters. */
  readonly format: Formatters
}

/**
 * The usage bar chart as plain SVG, a `role="img"` named by its title and described by its summary:
 * a credits axis with grid lines and a unit label, one bar per day with a tooltip, and date labels.
 */
export function UsageBars({ geometry: g, width, height, title, summary, format }: UsageBarsProps) {
  const titleId = useId()
  const descId = useId()
  return (
    <svg
      className="abq-chart"
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      preserveAspectRatio="xMinYMin meet"
    >
      <title id={titleId}>{title}</title>
      <desc id={descId}>{summary}</desc>
      <g className="abq-chart-axis abq-chart-axis--y">
        {g.ticks.map((t) => (
          <g key={t.value}>
            <line className="abq-chart-grid" x1={g.left} x2={g.right} y1={t.y} y2={t.y} />
            <text x={g.left - 6} y={t.y} textAnchor="end" dominantBaseline="middle">
              {format.number(t.value)}
            </text>
          </g>
        ))}
        <text className="abq-chart-unit" x={g.left - 6} y={g.top - 14} textAnchor="end">
          credits
        </text>
      </g>
      <g className="abq-chart-bars">
        {g.bars.map((b) => (
          <rect
            key={b.date}
            className="abq-chart-bar"
            data-date={b.date}
            x={b.x}
            y={b.y}
            width={b.width}
            height={b.height}
          >
            <title>{`${format.longDay(b.date)}: ${format.number(b.credits)} credits`}</title>
          </rect>
        ))}
      </g>
      <g className="abq-chart-axis abq-chart-axis--x">
        <line className="abq-chart-baseline" x1={g.left} x2={g.right} y1={g.baseline} y2={g.baseline} />
        {g.labels.map((l) => (
          <text key={l.date} x={l.x} y={g.labelY} textAnchor="middle">
            {format.day(l.date)}
          </text>
        ))}
      </g>
    </svg>
  )
}
