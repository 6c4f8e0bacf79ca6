import { describe, expect, it } from '@jest/globals'
import { USAGE_CSV_HEADER, usageCsv, usageCsvRow } from './usage-csv.js'
import type { UsageRow } from './usage-export.js'

function row(clientId: string, credits = 1.5): UsageRow {
  return {
    clientId,
    start: new Date('2026-03-01T18:15:00Z'),
    end: new Date('2026-03-02T18:15:00Z'),
    credits,
    fromBalance: 0.5,
    overage: 0,
  }
}

async function text(rows: Iterable<UsageRow> | AsyncIterable<UsageRow>, escapeFormulas?: boolean) {
  let csv = ''
  for await (const chunk of usageCsv(rows, escapeFormulas === undefined ? {} : { escapeFormulas }))
    csv += chunk
  return csv
}

describe('usageCsv', () => {
  it('writes a header and one CRLF-terminated record per row, instants in ISO 8601 UTC', async () => {
    expect(await text([row('alice'), row('bob', 2)])).toBe(
      'clientId,start,end,credits,fromBalance,overage\r\n' +
        'alice,2026-03-01T18:15:00.000Z,2026-03-02T18:15:00.000Z,1.5,0.5,0\r\n' +
        'bob,2026-03-01T18:15:00.000Z,2026-03-02T18:15:00.000Z,2,0.5,0\r\n',
    )
  })

  it('writes just the header for no rows, and reads async rows too', async () => {
    expect(await text([])).toBe(USAGE_CSV_HEADER)
    async function* rows() {
      yield row('a')
    }
    expect(await text(rows())).toBe(USAGE_CSV_HEADER + usageCsvRow(row('a')))
  })

  it('quotes a client id holding a comma, quote, CR or LF and doubles its quotes (RFC 4180)', () => {
    const first = (id: string) => usageCsvRow(row(id)).split(',2026-')[0]
    expect(first('a,b')).toBe('"a,b"')
    expect(first('say "hi"')).toBe('"say ""hi"""')
    expect(first('line\nbreak')).toBe('"line\nbreak"')
    expect(first('cr\rhere')).toBe('"cr\rhere"')
    expect(first('plain id')).toBe('plain id')
  })

  it('defuses spreadsheet formulas in client ids by default, and keeps them verbatim when told', () => {
    const first = (id: string, escapeFormulas?: boolean) =>
      usageCsvRow(row(id), escapeFormulas === undefined ? {} : { escapeFormulas }).split(',2026-')[0]
    expect(first('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"')
    for (const id of ['+1', '-1', '@SUM(A1)', '\tx']) expect(first(id)).toBe(`"'${id}"`)
    expect(first('a=b')).toBe('a=b')
    expect(first('=1+1', false)).toBe('=1+1')
    expect(first('=a,b', false)).toBe('"=a,b"')
  })
})
