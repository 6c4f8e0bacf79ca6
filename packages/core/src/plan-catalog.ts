import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import type { PlanSource } from './plan-source.js'
import type { QuotaDefinition } from './quota-definition.js'
import type { SharedPlan } from './shared-plan.js'
import type { SharedPlanRegistry } from './shared-plan-registry.js'
import { describeValue } from './validate.js'

/**
 * One named plan of the catalog. Every client resolved to the name holds this slot, not the compiled
 * plan, so replacing the plan (`define` again) reaches all of them at their next request, at no cost to
 * the requests themselves.
 */
export class CatalogPlan implements PlanSource {
  /** Counts replacements, so that plans derived from this one (overrides) know when to follow. */
  revision = 0

  constructor(
    readonly name: string,
    public shared: SharedPlan,
  ) {}

  /** The plan as last defined. */
  current(): SharedPlan {
    return this.shared
  }
}

/** The named plans of an engine (`plans` option, `definePlan`): what `resolveClient` may answer by name. */
export class PlanCatalog {
  private readonly plans = new Map<string, CatalogPlan>()

  constructor(private readonly registry: SharedPlanRegistry) {}

  /**
   * Adds the plan `name`, or replaces it: clients on it follow at their next request.
   * @throws InvalidArgumentError for an empty name or an invalid plan (nothing changes then).
   */
  define(name: string, definitions: readonly QuotaDefinition[], argument = 'definitions'): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError('name', `expected a non-empty plan name, got ${describeValue(name)}`)
    }
    const shared = this.registry.share(definitions, argument)
    const existing = this.plans.get(name)
    if (existing === undefined) {
      this.plans.set(name, new CatalogPlan(name, shared))
    } else if (existing.shared !== shared) {
      existing.shared = shared
      existing.revision++
    }
  }

  /** The plan named `name`, or `undefined`. */
  get(name: string): CatalogPlan | undefined {
    return this.plans.get(name)
  }

  /** The names of every plan, in the order they were first defined. */
  names(): string[] {
    return [...this.plans.keys()]
  }
}
