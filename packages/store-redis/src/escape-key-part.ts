const SPECIAL = /[%{}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

function escapeChar(char: string): string {
  if (char === '%') return '%25'
  if (char === '{') return '%7B'
  if (char === '}') return '%7D'
  return `%u${(char.charCodeAt(0) as number).toString(16).toUpperCase()}`
}

/**
 * Makes an application string (client id, idempotency or refund key) safe inside a Redis key, one to
 * one: `%`, `{` and `}` are percent-escaped, so a client id can never close or open the key's hash tag
 * (`a}b` and `a%7Db` stay two different clients), and a lone UTF-16 surrogate, which UTF-8 cannot carry
 * (every one would become the same replacement character), is written as `%uD83D`. Everything else,
 * any other Unicode included, passes through unchanged.
 */
export function escapeKeyPart(value: string): string {
  SPECIAL.lastIndex = 0
  return SPECIAL.test(value) ? value.replace(SPECIAL, escapeChar) : value
}
