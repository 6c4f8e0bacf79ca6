import type { ChartDay } from './chart-geometry.js'
import type { Formatters } from './use-formatters.js'

/**
 * The one-sentence summary of a usage chart for screen readers, e.g. `"Mar 1, 2025 to Mar 4, 2025:
 * 130 credits in total, most on Mar 2, 2025 (87)."` (the first of the busiest days). `days` must not
 * be empty.
 */
export function usageSummary(days: readonly ChartDay[], format: Formatters): string {
  const first = days[0]
  const last = days.at(-1)
  const peak = days.reduce((a, b) => (b.credits > a.credits ? b : a))
  const total = days.reduce((sum, d) => sum + d.credits, 0)
  const range = first && last ? `${format.longDay(first.date)} to ${format.longDay(last.date)}: ` : ''
  return `${range}${format.number(total)} credits in total, most on ${format.longDay(peak.date)} (${format.number(peak.credits)}).`
}
