import { type ClientResolution, InvalidArgumentError, type ResolveClient } from '@x/api-billing-core'
import type { ClientRecord, ClientsFile } from './clients-file.js'
import { planFromJson } from './demo-plans.js'

/**
 * The engine's `resolveClient` over the clients file: reads the file on every call (it is the demo's
 * database; `ApiBilling` caches the answers for `clientCache.ttlMs`). An API key the file does not have is
 * an unknown client; a file that cannot be read or a record that is not a plan throws, which the engine
 * turns into a 503 `PlanResolutionError` (or covers with the client's last answer).
 */
export function clientsFileResolver(file: ClientsFile): ResolveClient {
  return (apiKey) => {
    const record = file.get(apiKey)
    return record === undefined ? undefined : clientResolution(apiKey, record)
  }
}

/**
 * A record of the clients file as the engine takes it: own `quotas` as definitions, else the catalog
 * `plan`'s name, with `{ plan, overrides }` when it has overrides.
 * @throws InvalidArgumentError for a record with neither a plan name nor quotas, or malformed definitions.
 */
export function clientResolution(apiKey: string, record: ClientRecord): ClientResolution {
  const at = `clients.${apiKey}`
  if (record.quotas !== undefined) return planFromJson(`${at}.quotas`, record.quotas)
  if (typeof record.plan !== 'string') {
    throw new InvalidArgumentError(at, 'expected { "plan": "<name>" } or { "quotas": [...] }')
  }
  if (record.overrides === undefined) return record.plan
  return { plan: record.plan, overrides: planFromJson(`${at}.overrides`, record.overrides) }
}
