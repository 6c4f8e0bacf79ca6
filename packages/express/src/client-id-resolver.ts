import type { Request } from 'express'
import { MissingClientIdError } from './missing-client-id-error.js'

/**
 * Reads the caller's client id (API key, tenant, user) from a request, e.g.
 * `(req) => req.get('x-api-key')`. `undefined`, `null` or `''` means "no client id" (HTTP 401).
 * It may be async. An error it throws is passed to `next(err)`, unless it is a `BillingError`, which is
 * answered with its problem body; returning anything but a string (or nothing) passes a `TypeError` to
 * `next(err)`.
 */
export type ClientIdResolver = (
  req: Request,
) => string | undefined | null | Promise<string | undefined | null>

/** Runs `resolver` and returns the client id, or throws `MissingClientIdError` / `TypeError`. */
export async function resolveClientId(req: Request, resolver: ClientIdResolver): Promise<string> {
  return checkClientId(await resolver(req))
}

/** True for a promise (or any thenable) an option function returned. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function'
}

/** Checks what a {@link ClientIdResolver} gave: the client id, or `MissingClientIdError` / `TypeError`. */
export function checkClientId(clientId: unknown): string {
  if (clientId === undefined || clientId === null || clientId === '') throw new MissingClientIdError()
  if (typeof clientId !== 'string') {
    throw new TypeError(
      `options.clientId must return a string (or undefined when the request has none), got a ${typeof clientId}`,
    )
  }
  return clientId
}
