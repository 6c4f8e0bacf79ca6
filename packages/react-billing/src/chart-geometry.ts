import { niceTicks } from './nice-ticks.js'

/** One day of a usage report, as the chart reads it. */
export interface ChartDay {
  /** The local calendar date, `YYYY-MM-DD`. */
  readonly date: string
  /** Credits used that day. */
  readonly credits: number
}

/** Where everything of a usage bar chart goes, in SVG units; see {@link chartGeometry}. */
export interface ChartGeometry {
  /** Left and right ends of the plot (grid lines, baseline). */
  readonly left: number
  readonly right: number
  /** The plot's top (the highest tick) and its baseline (zero credits). */
  readonly top: number
  readonly baseline: number
  /** The credits axis: each tick's value and height. */
  readonly ticks: readonly { readonly value: number; readonly y: number }[]
  /** One bar per day, in order. */
  readonly bars: readonly (ChartDay & {
    readonly x: number
    readonly y: number
    readonly width: number
    readonly height: number
  })[]
  /** The date labels kept (thinned to fit): each day's date and the centre of its band. */
  readonly labels: readonly { readonly date: string; readonly x: number }[]
  /** Height of the date labels' text baseline. */
  readonly labelY: number
}

/** Room around the plot for the axes' labels. */
export const CHART_MARGIN = { top: 28, right: 12, bottom: 32, left: 52 } as const
/** Minimum horizontal room per date label, in SVG units. */
const LABEL_ROOM = 64

/**
 * Lays out a bar chart of `days` in a `width` × `height` drawing: credits ticks from {@link niceTicks}
 * of the busiest day, one band per day with a bar of 80 % of its width (at least 1 unit) centred in
 * it, and a date label under every n-th band so that labels get at least 64 units each. Negative
 * credits draw as zero; no days give no bars and the ticks `[0, 1]`.
 */
export function chartGeometry(days: readonly ChartDay[], width: number, height: number): ChartGeometry {
  const m = CHART_MARGIN
  const ticks = niceTicks(days.reduce((peak, d) => Math.max(peak, d.credits), 0))
  const max = ticks.at(-1) as number
  const plotHeight = height - m.top - m.bottom
  const baseline = m.top + plotHeight
  const band = (width - m.left - m.right) / days.length
  const labelEvery = Math.max(1, Math.ceil(LABEL_ROOM / band))
  const y = (credits: number) => m.top + plotHeight * (1 - Math.max(0, credits) / max)
  return {
    left: m.left,
    right: width - m.right,
    top: m.top,
    baseline,
    ticks: ticks.map((value) => ({ value, y: y(value) })),
    bars: days.map((d, i) => {
      const barY = y(d.credits)
      const x = m.left + i * band + band * 0.1
      return {
        date: d.date,
        credits: d.credits,
        x,
        y: barY,
        width: Math.max(1, band * 0.8),
        height: baseline - barY,
      }
    }),
    labels: days.flatMap((d, i) =>
      i % labelEvery === 0 ? [{ date: d.date, x: m.left + (i + 0.5) * band }] : [],
    ),
    labelY: height - m.bottom + 18,
  }
}
