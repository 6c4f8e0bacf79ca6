import type { QuotaDuration } from '@x/api-billing-core'
import { type BareItem, type List, parseList, Token } from 'structured-headers'
import { isDuration } from './duration-order.js'

/** The name of a `RateLimit` item this package reads: a quota window's duration, or `'balance'`. */
export type RateLimitItemName = QuotaDuration | 'balance'

/**
 * The items of a `RateLimit` or `RateLimit-Policy` field, keyed by the quota duration they are named
 * after (or `'balance'`, the prepaid balance), each with its non-negative integer parameters (`r`, `t`,
 * `q`, `w`, …) by key. A parameter may be missing (the balance item has no `t`).
 */
export type RateLimitItems = ReadonlyMap<RateLimitItemName, ReadonlyMap<string, number>>

/** An item's name: its value when it is a String (`"day"`) or a Token (`day`). */
function itemName(value: BareItem): string | undefined {
  if (typeof value === 'string') return value
  if (value instanceof Token) return value.toString()
  return undefined
}

function isItemName(name: string): name is RateLimitItemName {
  return name === 'balance' || isDuration(name)
}

/**
 * Reads a draft-09 `RateLimit`/`RateLimit-Policy` field value, an RFC 9651 structured field List
 * parsed by `structured-headers`. Keeps the items named after a quota duration or `balance` (inner
 * lists, other names and other item types are skipped) and, of their parameters, the non-negative
 * integers (a decimal with no fraction, such as `5.0`, reads as the integer; `structured-headers` does
 * not tell them apart). Which parameters an item must have is the caller's business.
 *
 * @returns the items (a later item of the same name replaces an earlier one), or `undefined` when
 * the value is not a valid List: RFC 9651 says to ignore such a field as a whole. An empty value is
 * an empty List.
 */
export function parseRateLimitField(value: string): RateLimitItems | undefined {
  let list: List
  try {
    list = parseList(value)
  } catch {
    // Any failure to parse untrusted header text means "not a valid List".
    return undefined
  }
  const items = new Map<RateLimitItemName, ReadonlyMap<string, number>>()
  for (const [member, params] of list) {
    if (Array.isArray(member)) continue
    const name = itemName(member)
    if (name === undefined || !isItemName(name)) continue
    const numbers = new Map<string, number>()
    for (const [key, param] of params) {
      if (typeof param === 'number' && Number.isInteger(param) && param >= 0) numbers.set(key, param)
    }
    items.set(name, numbers)
  }
  return items
}
