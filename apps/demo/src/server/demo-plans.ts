import { readFile } from 'node:fs/promises'
import { InvalidArgumentError, type QuotaDefinition, UNLIMITED } from '@x/api-billing-core'

/**
 * A client as the dashboard lists it, and as `plans.json` seeds it: its API key (which is its client id),
 * a display name and its plan's name.
 */
export interface DemoClient {
  readonly apiKey: string
  readonly name: string
  readonly plan: string
}

/** Prepaid credits the demo grants a client at start-up, once (by `idempotencyKey`). */
export interface DemoGrant {
  readonly apiKey: string
  readonly credits: number
  readonly note?: string
  /** Makes the grant once across restarts on the same store. */
  readonly idempotencyKey: string
}

/** The plans file, parsed: the plan catalog, the clients that seed a new clients file, their first credits. */
export interface DemoPlans {
  /** The catalog: quota definitions by plan name. */
  readonly plans: ReadonlyMap<string, readonly QuotaDefinition[]>
  /** Written to the clients file when it does not exist yet (see `ClientsFile.seed`). */
  readonly clients: readonly DemoClient[]
  /** Granted at every start (each once, by its idempotency key). Default: none. */
  readonly grants: readonly DemoGrant[]
}

/** A quota definition as the JSON files hold it: `creditLimit: null` is unlimited, `startDate` ISO-8601. */
export interface DefinitionJson {
  readonly duration: QuotaDefinition['duration']
  readonly creditLimit: number | null
  readonly startDate?: string
  readonly timeZone?: string
  readonly overflow?: QuotaDefinition['overflow']
  /** `null` is unlimited. */
  readonly overageLimit?: number | null
}

/**
 * Turns a plan in JSON form into quota definitions: `creditLimit: null` (and `overageLimit: null`) is
 * `UNLIMITED`, `startDate` an
 * ISO-8601 string. The engine validates the rest when the plan is applied. `argument` names the value in
 * errors (`plans.free`, `quotas`, …).
 */
export function planFromJson(argument: string, value: unknown): QuotaDefinition[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(argument, 'expected an array of quota definitions')
  }
  return (value as unknown[]).map((item, i) => {
    if (typeof item !== 'object' || item === null) {
      throw new InvalidArgumentError(`${argument}[${i}]`, 'expected a quota definition object')
    }
    const d = item as DefinitionJson
    const startDate = d.startDate === undefined ? undefined : new Date(d.startDate)
    if (startDate !== undefined && Number.isNaN(startDate.getTime())) {
      throw new InvalidArgumentError(`${argument}[${i}].startDate`, `not an ISO-8601 date: ${d.startDate}`)
    }
    return {
      duration: d.duration,
      creditLimit: d.creditLimit === null ? UNLIMITED : d.creditLimit,
      ...(startDate === undefined ? {} : { startDate }),
      ...(d.timeZone === undefined ? {} : { timeZone: d.timeZone }),
      ...(d.overflow === undefined ? {} : { overflow: d.overflow }),
      ...(d.overageLimit === undefined
        ? {}
        : { overageLimit: d.overageLimit === null ? UNLIMITED : d.overageLimit }),
    }
  })
}

/** The catalog as `ApiBilling`'s `plans` option takes it. */
export function planCatalog(plans: DemoPlans): Record<string, readonly QuotaDefinition[]> {
  return Object.fromEntries(plans.plans)
}

/** Reads and checks the plans file; every seed client must name a plan that exists. */
export async function loadDemoPlans(path: string): Promise<DemoPlans> {
  const json = JSON.parse(await readFile(path, 'utf8')) as {
    plans?: Record<string, unknown>
    clients?: DemoClient[]
    grants?: DemoGrant[]
  }
  const plans = new Map(
    Object.entries(json.plans ?? {}).map(([name, value]) => [name, planFromJson(`plans.${name}`, value)]),
  )
  const clients = json.clients ?? []
  for (const client of clients) {
    if (!plans.has(client.plan)) {
      throw new InvalidArgumentError(
        `clients.${client.apiKey}.plan`,
        `no plan named "${client.plan}" in ${path}`,
      )
    }
  }
  const grants = json.grants ?? []
  for (const grant of grants) {
    if (typeof grant.idempotencyKey !== 'string' || grant.idempotencyKey === '') {
      throw new InvalidArgumentError(
        `grants.${grant.apiKey}.idempotencyKey`,
        `every grant in ${path} needs one`,
      )
    }
  }
  return { plans, clients, grants }
}
