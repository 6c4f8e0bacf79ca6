const ESCAPED = /%(25|7B|7D|u[0-9A-F]{4})/g

/** The application string an `escapeKeyPart` result stands for (its exact inverse). */
export function unescapeKeyPart(escaped: string): string {
  return escaped.replace(ESCAPED, (_, code: string) =>
    code[0] === 'u'
      ? String.fromCharCode(Number.parseInt(code.slice(1), 16))
      : String.fromCharCode(Number.parseInt(code, 16)),
  )
}
