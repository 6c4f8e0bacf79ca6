import type { ClientPlan } from './compiled-quota.js'
import type { PlanSource } from './plan-source.js'
import type { QuotaDefinition } from './quota-definition.js'

/**
 * A compiled plan and the frozen definitions it came from, shared by every client with that content (and
 * with them its window cache). Never changes: a plan change is a new `SharedPlan`.
 */
export class SharedPlan implements PlanSource {
  constructor(
    readonly plan: ClientPlan,
    readonly definitions: readonly QuotaDefinition[],
  ) {}

  /** Itself: a plan of its own never changes. */
  current(): SharedPlan {
    return this
  }
}
