import type { QuotaDefinition } from './quota-definition.js'

/**
 * A catalog plan for one client, optionally with windows of its own: each override replaces the plan's
 * window of the same duration, or adds one (a negotiated monthly limit on top of the `pro` plan, say).
 * The client follows the catalog plan when it is replaced (`definePlan`), overrides kept.
 */
export interface PlanAssignment {
  /** The name of a plan in the catalog (`plans` option or `definePlan`). */
  readonly plan: string
  /** Windows that replace or add to the plan's, at most one per duration. Default: none. */
  readonly overrides?: readonly QuotaDefinition[]
}

/**
 * What a {@link ResolveClient} function answers for a client:
 * - a plan name from the catalog (`'pro'`),
 * - the client's own quota definitions (`[{ duration: 'day', creditLimit: 500 }]`),
 * - a {@link PlanAssignment} (`{ plan: 'pro', overrides: [...] }`),
 * - `undefined` (or `null`, as database lookups answer) when the client is unknown: its requests then
 *   fail with `UnknownClientError`, and that answer is cached like any other.
 */
export type ClientResolution = string | readonly QuotaDefinition[] | PlanAssignment | null | undefined

/**
 * Looks up a client's plan in your own data (a customers table, a JSON file, a billing provider), given
 * to `new ApiBilling({ resolveClient })`. Called when the engine first sees a client and again when its
 * cached answer expires, never twice at once for one client. Throwing (or rejecting) makes the engine
 * fall back to the client's last answer, or fail the request with `PlanResolutionError` when it has none.
 */
export type ResolveClient = (clientId: string) => ClientResolution | PromiseLike<ClientResolution>
