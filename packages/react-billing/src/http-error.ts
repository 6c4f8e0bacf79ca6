/**
 * Thrown by {@link fetchJson} when the server answers with a non-2xx status. When the body is an RFC
 * 9457 problem (as the Express binding sends for 401/403/429/503), its `detail` or `title` is the message.
 */
export class HttpError extends Error {
  /** The HTTP status code, e.g. `403`. */
  readonly status: number
  /** The parsed JSON body, if it was JSON; otherwise `undefined`. */
  readonly body: unknown

  constructor(status: number, body: unknown, message?: string) {
    super(message ?? `HTTP ${status}`)
    this.name = 'HttpError'
    this.status = status
    this.body = body
  }
}
