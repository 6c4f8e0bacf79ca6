import type { UsageRow } from './usage-export.js'

/** Options of {@link usageCsv} and {@link usageCsvRow}. */
export interface UsageCsvOptions {
  /**
   * Defuse spreadsheet formulas: a client id that starts with `=`, `+`, `-`, `@`, a tab or a carriage
   * return gets a leading `'` (OWASP's advice), so Excel, LibreOffice or Google Sheets show it as text
   * instead of running it. That changes those ids in the file; turn it off when only programs read the
   * CSV. Only the client id can carry text: the other columns are instants and non-negative numbers.
   * Default `true`.
   */
  readonly escapeFormulas?: boolean
}

/** The header record of {@link usageCsv}, CRLF-terminated; the columns match {@link UsageRow}'s fields. */
export const USAGE_CSV_HEADER = 'clientId,start,end,credits,fromBalance,overage\r\n'

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

/**
 * Usage rows as RFC 4180 CSV, streamed: the {@link USAGE_CSV_HEADER} first, then one CRLF-terminated
 * record per row (see {@link usageCsvRow}). Join the chunks for a string, or write them to a stream.
 */
export async function* usageCsv(
  rows: Iterable<UsageRow> | AsyncIterable<UsageRow>,
  options: UsageCsvOptions = {},
): AsyncGenerator<string, void, undefined> {
  yield USAGE_CSV_HEADER
  for await (const row of rows) yield usageCsvRow(row, options)
}

/**
 * One usage row as an RFC 4180 record ending in CRLF: instants in ISO 8601 UTC
 * (`2024-05-01T00:00:00.000Z`), amounts as JavaScript prints numbers, a field with a comma, double quote,
 * CR or LF in double quotes with its quotes doubled, formulas defused (and quoted, as OWASP advises)
 * unless `escapeFormulas` is false.
 */
export function usageCsvRow(row: UsageRow, options: UsageCsvOptions = {}): string {
  const { clientId } = row
  const defuse = options.escapeFormulas !== false && FORMULA_START.test(clientId)
  const id = defuse ? quoted(`'${clientId}`) : NEEDS_QUOTES.test(clientId) ? quoted(clientId) : clientId
  return `${id},${row.start.toISOString()},${row.end.toISOString()},${row.credits},${row.fromBalance},${row.overage}\r\n`
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`
}
