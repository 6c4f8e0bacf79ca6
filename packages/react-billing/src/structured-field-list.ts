/**
 * A bare item of a structured field (RFC 9651 §3.3), tagged by type. Byte sequences keep their
 * base64 text; dates and display strings are not supported (a field holding one fails to parse).
 */
export type StructuredFieldBareItem =
  | { readonly type: 'integer' | 'decimal'; readonly value: number }
  | { readonly type: 'string' | 'token' | 'binary'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean }

/** A member of a structured field List: an item, or an inner list of items, with its parameters. */
export type StructuredFieldMember =
  | {
      readonly type: 'item'
      readonly value: StructuredFieldBareItem
      readonly params: ReadonlyMap<string, StructuredFieldBareItem>
    }
  | {
      readonly type: 'inner-list'
      readonly items: readonly StructuredFieldMember[]
      readonly params: ReadonlyMap<string, StructuredFieldBareItem>
    }

class ParseError extends Error {}

const DIGIT = /[0-9]/
const ALPHA = /[A-Za-z]/
const LCALPHA = /[a-z]/
const KEY_CHAR = /[a-z0-9_\-.*]/
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/
const BASE64_CHAR = /[A-Za-z0-9+/=]/

class Parser {
  private pos = 0

  constructor(private readonly input: string) {}

  list(): StructuredFieldMember[] {
    const members: StructuredFieldMember[] = []
    this.skip(' ')
    while (!this.done()) {
      members.push(this.peek() === '(' ? this.innerList() : this.item())
      this.skipOws()
      if (this.done()) return members
      if (this.next() !== ',') throw new ParseError('expected ","')
      this.skipOws()
      if (this.done()) throw new ParseError('trailing ","')
    }
    return members
  }

  private done(): boolean {
    return this.pos >= this.input.length
  }

  private peek(): string {
    return this.input.charAt(this.pos)
  }

  private next(): string {
    return this.input.charAt(this.pos++)
  }

  private skip(char: string): void {
    while (this.peek() === char) this.pos++
  }

  private skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }

  private innerList(): StructuredFieldMember {
    this.next()
    const items: StructuredFieldMember[] = []
    while (!this.done()) {
      this.skip(' ')
      if (this.peek() === ')') {
        this.next()
        return { type: 'inner-list', items, params: this.parameters() }
      }
      items.push(this.item())
      const c = this.peek()
      if (c !== ' ' && c !== ')') throw new ParseError('expected " " or ")"')
    }
    throw new ParseError('unterminated inner list')
  }

  private item(): StructuredFieldMember {
    const value = this.bareItem()
    return { type: 'item', value, params: this.parameters() }
  }

  private parameters(): Map<string, StructuredFieldBareItem> {
    const params = new Map<string, StructuredFieldBareItem>()
    while (this.peek() === ';') {
      this.next()
      this.skip(' ')
      const key = this.key()
      let value: StructuredFieldBareItem = { type: 'boolean', value: true }
      if (this.peek() === '=') {
        this.next()
        value = this.bareItem()
      }
      params.set(key, value)
    }
    return params
  }

  private key(): string {
    const first = this.peek()
    if (!LCALPHA.test(first) && first !== '*') throw new ParseError('bad key')
    const start = this.pos
    while (!this.done() && KEY_CHAR.test(this.peek())) this.pos++
    return this.input.slice(start, this.pos)
  }

  private bareItem(): StructuredFieldBareItem {
    const c = this.peek()
    if (c === '-' || DIGIT.test(c)) return this.number()
    if (c === '"') return this.string()
    if (c === '*' || ALPHA.test(c)) return this.token()
    if (c === ':') return this.byteSequence()
    if (c === '?') return this.boolean()
    throw new ParseError('unsupported bare item')
  }

  private number(): StructuredFieldBareItem {
    let sign = 1
    if (this.peek() === '-') {
      this.next()
      sign = -1
    }
    if (!DIGIT.test(this.peek())) throw new ParseError('expected a digit')
    let text = ''
    let decimal = false
    while (!this.done()) {
      const c = this.peek()
      if (DIGIT.test(c)) text += c
      else if (!decimal && c === '.') {
        if (text.length > 12) throw new ParseError('decimal too long')
        text += c
        decimal = true
      } else break
      this.pos++
      if (!decimal && text.length > 15) throw new ParseError('integer too long')
      if (decimal && text.length > 16) throw new ParseError('decimal too long')
    }
    if (!decimal) return { type: 'integer', value: sign * Number.parseInt(text, 10) }
    if (text.endsWith('.')) throw new ParseError('decimal ends with "."')
    if (text.length - text.indexOf('.') - 1 > 3) throw new ParseError('too many fraction digits')
    return { type: 'decimal', value: sign * Number.parseFloat(text) }
  }

  private string(): StructuredFieldBareItem {
    this.next()
    let value = ''
    while (!this.done()) {
      const c = this.next()
      if (c === '\\') {
        const escaped = this.next()
        if (escaped !== '"' && escaped !== '\\') throw new ParseError('bad escape')
        value += escaped
      } else if (c === '"') {
        return { type: 'string', value }
      } else {
        const code = c.charCodeAt(0)
        if (code < 0x20 || code > 0x7e) throw new ParseError('bad string character')
        value += c
      }
    }
    throw new ParseError('unterminated string')
  }

  private token(): StructuredFieldBareItem {
    const start = this.pos
    this.pos++
    while (!this.done() && TOKEN_CHAR.test(this.peek())) this.pos++
    return { type: 'token', value: this.input.slice(start, this.pos) }
  }

  private byteSequence(): StructuredFieldBareItem {
    this.next()
    const start = this.pos
    while (!this.done() && this.peek() !== ':') {
      if (!BASE64_CHAR.test(this.peek())) throw new ParseError('bad base64')
      this.pos++
    }
    if (this.done()) throw new ParseError('unterminated byte sequence')
    const value = this.input.slice(start, this.pos)
    this.next()
    try {
      atob(value)
    } catch {
      throw new ParseError('bad base64')
    }
    return { type: 'binary', value }
  }

  private boolean(): StructuredFieldBareItem {
    this.next()
    const c = this.next()
    if (c === '1') return { type: 'boolean', value: true }
    if (c === '0') return { type: 'boolean', value: false }
    throw new ParseError('bad boolean')
  }
}

/**
 * Parses an HTTP structured field of type List (RFC 9651 §4.2.1), enough for the `RateLimit` and
 * `RateLimit-Policy` headers: integers, decimals, strings, tokens, byte sequences, booleans, inner
 * lists and parameters. Returns `undefined` when the value is not a valid List (the RFC says to
 * ignore such a field as a whole); an empty or blank value is an empty List.
 */
export function parseStructuredFieldList(value: string): StructuredFieldMember[] | undefined {
  try {
    return new Parser(value).list()
  } catch (error) {
    if (error instanceof ParseError) return undefined
    throw error
  }
}
