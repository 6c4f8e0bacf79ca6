import { parseList } from 'structured-headers'

/** One item of a parsed `RateLimit` / `RateLimit-Policy` header: its name and integer parameters. */
export interface RateLimitItem {
  readonly name: string
  readonly params: Record<string, number>
}

/** Parses a draft-09 `RateLimit` or `RateLimit-Policy` field value with a real structured-field parser. */
export function rateLimitItems(value: string | undefined): RateLimitItem[] {
  if (value === undefined) throw new Error('header missing')
  return parseList(value).map(([item, params]) => {
    if (typeof item !== 'string') throw new Error(`expected an sf-string item name, got ${String(item)}`)
    const numbers: Record<string, number> = {}
    for (const [key, param] of params) {
      if (typeof param !== 'number' || !Number.isInteger(param))
        throw new Error(`${key} is not an sf-integer`)
      numbers[key] = param
    }
    return { name: item, params: numbers }
  })
}
