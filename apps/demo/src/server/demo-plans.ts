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

/** The plans file, parsed: the plan catalog and the clients that seed a new clients file. */
export interface DemoPlans {
  /** The catalog: quota definitions by plan name. */
  readonly plans: ReadonlyMap<string, readonly QuotaDefinition[]>
  /** Written to the clients file when it does not exist yet (see `ClientsFile.seed`). */
  readonly clients: readonly DemoClient[]
}

/** A quota definition as the JSON files hold it: `creditLimit: null` is unlimited, `startDate` ISO-8601. */
export interface DefinitionJson {
  readonly duration: QuotaDefinition['duration']
  readonly creditLimit: number | null
  readonly startDate?: string
  readonly timeZone?: string
}

/**
 * Turns a plan in JSON form into quota definitions: `creditLimit: null` is `UNLIMITED`, `startDate` an
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
  return { plans, clients }
}
