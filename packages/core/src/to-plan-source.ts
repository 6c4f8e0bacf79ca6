import type { ClientResolution } from './client-resolution.js'
import { compilePlan } from './compiled-quota.js'
import { BillingError } from './errors/billing-error.js'
import { PlanResolutionError } from './errors/plan-resolution-error.js'
import { OverriddenPlan } from './overridden-plan.js'
import type { CatalogPlan, PlanCatalog } from './plan-catalog.js'
import type { PlanSource } from './plan-source.js'
import type { QuotaDefinition } from './quota-definition.js'
import type { SharedPlanRegistry } from './shared-plan-registry.js'
import { describeValue } from './validate.js'

const EXPECTED =
  'expected a plan name, an array of quota definitions, { plan, overrides? }, or undefined for an unknown client'

/**
 * Turns what `resolveClient` answered into the source of the client's plan, or `undefined` for an unknown
 * client (`undefined` or `null`).
 * @throws PlanResolutionError for a value of the wrong type, a plan name missing from the catalog, or
 * invalid definitions or overrides, with a message that says which.
 */
export function toPlanSource(
  clientId: string,
  answer: ClientResolution,
  catalog: PlanCatalog,
  registry: SharedPlanRegistry,
): PlanSource | undefined {
  if (answer === undefined || answer === null) return undefined
  if (typeof answer === 'string') return catalogPlan(clientId, answer, catalog)
  if (Array.isArray(answer)) {
    return validated(clientId, 'quota definitions', () =>
      registry.share(answer as readonly QuotaDefinition[], 'definitions'),
    )
  }
  if (typeof answer !== 'object' || !('plan' in answer) || typeof answer.plan !== 'string') {
    const what =
      typeof answer !== 'object'
        ? describeValue(answer)
        : 'plan' in answer
          ? `an object whose plan is ${describeValue(answer.plan)}`
          : 'an object without a plan'
    throw failure(clientId, `${what}; ${EXPECTED}`)
  }
  const base = catalogPlan(clientId, answer.plan, catalog)
  const { overrides } = answer
  if (overrides === undefined || (Array.isArray(overrides) && overrides.length === 0)) return base
  if (!Array.isArray(overrides)) {
    throw failure(clientId, `overrides ${describeValue(overrides)}; expected an array of quota definitions`)
  }
  return validated(clientId, 'overrides', () => {
    compilePlan(overrides, 'overrides', registry.scale) // validates them: each definition, at most one per duration
    return new OverriddenPlan(base, Object.freeze([...overrides]), registry)
  })
}

function catalogPlan(clientId: string, name: string, catalog: PlanCatalog): CatalogPlan {
  const plan = catalog.get(name)
  if (plan !== undefined) return plan
  const known = catalog.names()
  throw failure(
    clientId,
    `plan ${describeValue(name)}, but the catalog has no such plan ` +
      `(${known.length === 0 ? 'it is empty' : `defined: ${known.join(', ')}`}); ` +
      'add it with the plans option or definePlan',
  )
}

/** Runs `build`, turning the InvalidArgumentError of a bad plan into a PlanResolutionError. */
function validated<T>(clientId: string, what: string, build: () => T): T {
  try {
    return build()
  } catch (error) {
    if (!(error instanceof BillingError)) throw error
    throw failure(clientId, `invalid ${what} — ${error.message}`, error)
  }
}

function failure(clientId: string, detail: string, cause?: unknown): PlanResolutionError {
  return new PlanResolutionError(
    clientId,
    `resolveClient answered ${detail} (client ${describeValue(clientId)})`,
    cause === undefined ? undefined : { cause },
  )
}
