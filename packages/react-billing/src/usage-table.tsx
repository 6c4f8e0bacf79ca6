import type { ChartDay } from './chart-geometry.js'
import type { Formatters } from './use-formatters.js'

/** Props of {@link UsageTable}. */
export interface UsageTableProps {
  /** The days to list, in order. */
  readonly days: readonly ChartDay[]
  /** The table's caption. */
  readonly title: string
  /** The viewer's formatters. */
  readonly format: Formatters
}

/**
 * The numbers of a usage chart as a data table (date, credits, and a total row) inside a closed
 * `<details>` disclosure ("Show as table"), which any keyboard or screen-reader user can open.
 */
export function UsageTable({ days, title, format }: UsageTableProps) {
  const total = days.reduce((sum, d) => sum + d.credits, 0)
  return (
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
  )
}
