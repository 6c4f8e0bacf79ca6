import type { SharedPlan } from './shared-plan.js'

/**
 * Where a resolved client's plan comes from: a plan of its own, a catalog plan (which `definePlan` may
 * replace), or a catalog plan with overrides. `current()` answers the compiled plan to charge against
 * now, without allocating when nothing changed: it is called on every request of a cached client.
 */
export interface PlanSource {
  /** The plan in force now. */
  current(): SharedPlan
}
