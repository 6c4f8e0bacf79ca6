import { compilePlan } from './compiled-quota.js'
import { type CreditScale, WHOLE_CREDITS } from './credit-scale.js'
import type { QuotaDefinition } from './quota-definition.js'
import { SharedPlan } from './shared-plan.js'

/** Distinct plans remembered for sharing by default; past it the memory starts over (sharing is only a saving). */
const MAX_SHARED_PLANS = 10_000

/**
 * Compiled plans by content, so that the many clients of one tier — pinned, resolved or in the catalog —
 * share one compiled plan and its window cache instead of one each.
 */
export class SharedPlanRegistry {
  private readonly plans = new Map<string, SharedPlan>()

  /**
   * Remembers at most `maxPlans` distinct plans (default 10,000), then starts over. Limits are compiled in
   * `scale`'s units (default whole credits).
   */
  constructor(
    private readonly maxPlans = MAX_SHARED_PLANS,
    readonly scale: CreditScale = WHOLE_CREDITS,
  ) {}

  /**
   * The shared plan with the content of `definitions`, compiled (and validated) on first sight.
   * @param argument names the definitions in error messages. Default `'definitions'`.
   * @throws InvalidArgumentError for an invalid plan (see `compilePlan`).
   */
  share(definitions: readonly QuotaDefinition[], argument = 'definitions'): SharedPlan {
    const key = planKey(definitions)
    const known = key === undefined ? undefined : this.plans.get(key)
    if (known !== undefined) return known
    const shared = new SharedPlan(
      compilePlan(definitions, argument, this.scale),
      Object.freeze(definitions.map((d) => Object.freeze({ ...d }))),
    )
    if (key !== undefined) {
      if (this.plans.size >= this.maxPlans) this.plans.clear()
      this.plans.set(key, shared)
    }
    return shared
  }
}

/**
 * The content of a plan as a string that tells every value and type apart (`10` from `"10"`, `Infinity`
 * from `null`), or `undefined` for anything not made of plain numbers, strings and Dates (such a plan is
 * compiled on its own). Two plans with one key compile to the same windows.
 */
function planKey(definitions: unknown): string | undefined {
  if (!Array.isArray(definitions) || definitions.length === 0) return undefined
  let key = ''
  for (const d of definitions as unknown[]) {
    if (typeof d !== 'object' || d === null) return undefined
    const { duration, creditLimit, startDate, timeZone, overflow, overageLimit } = d as Record<
      string,
      unknown
    >
    const parts = [duration, creditLimit, startDate, timeZone, overflow, overageLimit].map(keyPart)
    if (parts.includes(undefined)) return undefined
    key += `${parts.join('|')};`
  }
  return key
}

function keyPart(value: unknown): string | undefined {
  if (value === undefined) return 'u'
  if (typeof value === 'number') return `n${value}`
  if (typeof value === 'string') return `s${JSON.stringify(value)}`
  if (value instanceof Date) return `d${value.getTime()}`
  return undefined
}
