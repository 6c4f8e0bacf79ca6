import type { CatalogPlan } from './plan-catalog.js'
import type { PlanSource } from './plan-source.js'
import type { QuotaDefinition } from './quota-definition.js'
import type { SharedPlan } from './shared-plan.js'
import type { SharedPlanRegistry } from './shared-plan-registry.js'

/**
 * A catalog plan with a client's own windows on top: each override replaces the plan's window of the same
 * duration, or adds one. Follows the catalog: when the base plan is replaced, the overrides are applied
 * again to the new plan at the client's next request.
 */
export class OverriddenPlan implements PlanSource {
  private shared: SharedPlan
  private revision: number

  /**
   * @param overrides validated definitions, at most one per duration.
   * @throws InvalidArgumentError when the merged plan is invalid.
   */
  constructor(
    private readonly base: CatalogPlan,
    private readonly overrides: readonly QuotaDefinition[],
    private readonly registry: SharedPlanRegistry,
  ) {
    this.revision = base.revision
    this.shared = registry.share(applyOverrides(base.shared.definitions, overrides))
  }

  /** The base plan as last defined, with the overrides applied. */
  current(): SharedPlan {
    if (this.revision !== this.base.revision) {
      this.shared = this.registry.share(applyOverrides(this.base.shared.definitions, this.overrides))
      this.revision = this.base.revision
    }
    return this.shared
  }
}

/**
 * `plan` with each override in place of the plan's definition of the same duration (keeping its position),
 * and the overrides of other durations appended.
 */
export function applyOverrides(
  plan: readonly QuotaDefinition[],
  overrides: readonly QuotaDefinition[],
): QuotaDefinition[] {
  const byDuration = new Map(overrides.map((o) => [o.duration, o]))
  const merged = plan.map((d) => byDuration.get(d.duration) ?? d)
  const planDurations = new Set(plan.map((d) => d.duration))
  for (const o of overrides) if (!planDurations.has(o.duration)) merged.push(o)
  return merged
}
