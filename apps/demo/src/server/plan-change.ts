import { ApiBilling, InvalidArgumentError, MemoryUsageStore, type QuotaDefinition } from '@x/api-billing-core'
import type { PlanChange } from './clients-file.js'
import { type DefinitionJson, planFromJson } from './demo-plans.js'

/** An engine that only checks plans: `definePlan` applies core's own rules (and nothing else uses it). */
const checker = new ApiBilling({ store: new MemoryUsageStore() })

/**
 * Reads the admin route's body into the client's new plan, checked as the engine will apply it:
 * `{ "plan": "<catalog name>" }`, optionally with `"overrides": [...]`, or `{ "quotas": [...] }`.
 * @throws InvalidArgumentError for a plan missing from `catalog` or definitions the engine would refuse.
 */
export function planChangeFrom(
  body: unknown,
  catalog: ReadonlyMap<string, readonly QuotaDefinition[]>,
): PlanChange {
  const { plan, overrides, quotas } = (body ?? {}) as {
    plan?: unknown
    overrides?: unknown
    quotas?: unknown
  }
  if (typeof plan === 'string') {
    if (!catalog.has(plan)) throw new InvalidArgumentError('plan', `no plan named "${plan}"`)
    if (overrides === undefined) return { plan }
    assertValidPlan('overrides', planFromJson('overrides', overrides))
    return { plan, overrides: overrides as DefinitionJson[] }
  }
  if (quotas !== undefined) {
    assertValidPlan('quotas', planFromJson('quotas', quotas))
    return { quotas: quotas as DefinitionJson[] }
  }
  throw new InvalidArgumentError('body', 'expected { "plan": "<name>" } or { "quotas": [...] }')
}

/** Throws core's `InvalidArgumentError`, renamed to `argument`, unless `definitions` make a valid plan. */
function assertValidPlan(argument: string, definitions: readonly QuotaDefinition[]): void {
  try {
    checker.definePlan('check', definitions)
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error
    const detail = error.message.slice(`Invalid ${error.argument}: `.length)
    throw new InvalidArgumentError(error.argument.replace(/^definitions/, argument), detail)
  }
}
