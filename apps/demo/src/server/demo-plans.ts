import { readFile } from 'node:fs/promises'
import { InvalidArgumentError, type QuotaDefinition, UNLIMITED } from '@x/api-billing-core'

/** A seeded client: its API key (which is its client id), a display name and its plan's name. */
export interface DemoClient {
  readonly apiKey: string
  readonly name: string
  readonly plan: string
}

/** The plans file, parsed: named plans and the clients seeded on start. */
export interface DemoPlans {
  readonly plans: ReadonlyMap<string, readonly QuotaDefinition[]>
  readonly clients: readonly DemoClient[]
}

interface DefinitionJson {
  readonly duration: QuotaDefinition['duration']
  readonly creditLimit: number | null
  readonly startDate?: string
  readonly timeZone?: string
}

/**
 * Turns one plan of the JSON file into quota definitions: `creditLimit: null` is `UNLIMITED`, `startDate`
 * an ISO-8601 string. The engine validates the rest when the plan is applied.
 */
export function planFromJson(name: string, value: unknown): QuotaDefinition[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(`plans.${name}`, 'expected an array of quota definitions')
  }
  return (value as DefinitionJson[]).map((d, i) => {
    const startDate = d.startDate === undefined ? undefined : new Date(d.startDate)
    if (startDate !== undefined && Number.isNaN(startDate.getTime())) {
      throw new InvalidArgumentError(`plans.${name}[${i}].startDate`, `not an ISO-8601 date: ${d.startDate}`)
    }
    return {
      duration: d.duration,
      creditLimit: d.creditLimit === null ? UNLIMITED : d.creditLimit,
      ...(startDate === undefined ? {} : { startDate }),
      ...(d.timeZone === undefined ? {} : { timeZone: d.timeZone }),
    }
  })
}

/** Reads and checks the plans file; every client must name a plan that exists. */
export async function loadDemoPlans(path: string): Promise<DemoPlans> {
  const json = JSON.parse(await readFile(path, 'utf8')) as {
    plans?: Record<string, unknown>
    clients?: DemoClient[]
  }
  const plans = new Map(
    Object.entries(json.plans ?? {}).map(([name, value]) => [name, planFromJson(name, value)]),
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
