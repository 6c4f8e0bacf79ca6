/**
 * The base class of every error this toolkit throws on purpose. `code` is stable and meant for
 * programs; `status` is the HTTP status a binding should answer with.
 */
export abstract class BillingError extends Error {
  /** A stable, machine-readable code such as `'QUOTA_EXCEEDED'`. */
  abstract readonly code: string
  /** The HTTP status this error maps to (400, 403, 429, 503). */
  abstract readonly status: number

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}
