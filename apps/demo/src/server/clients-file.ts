import { randomUUID } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { InvalidArgumentError } from '@x/api-billing-core'
import type { DefinitionJson, DemoClient } from './demo-plans.js'

/**
 * What the clients file says about one client: a plan of the catalog (`plans.json`), optionally with
 * overrides, or quotas of its own.
 */
export interface ClientRecord {
  /** Shown in the dashboard's picker. Default: the API key. */
  readonly name?: string
  /** The name of a plan of the catalog. */
  readonly plan?: string
  /** With `plan`: windows that replace the plan's window of the same duration, or add one. Default: none. */
  readonly overrides?: readonly DefinitionJson[]
  /** Instead of `plan`: the client's own quota definitions. */
  readonly quotas?: readonly DefinitionJson[]
}

/** A client's plan, without its name: what the admin route changes. */
export type PlanChange = Omit<ClientRecord, 'name'>

/** The file's content: the records by API key, and whatever else the file holds (kept as it is). */
interface ClientsJson {
  readonly clients: Readonly<Record<string, ClientRecord>>
  readonly [other: string]: unknown
}

const COMMENT =
  'Demo clients by API key (the client id): a plan of plans.json, optionally with overrides, or quotas of their own. Read on every lookup; the admin route writes it.'

/**
 * The demo's clients "database": a JSON file mapping API keys to plans, shared by every demo instance
 * that is given the same path. Every call reads the file (the engine caches the answers, not this class)
 * and every change rewrites it atomically — written to a temp file beside it, then renamed over it — so a
 * reader, in this process or another, sees the old file or the new one, never half of one.
 *
 * All access is synchronous: the file is small and local, a read-modify-write of one request cannot
 * interleave with another's in this process, and a background refresh of the engine's cache has its answer
 * before the next request is read. Two processes changing clients at the same instant may still lose one
 * of the changes (the last rename wins): a real database table would not.
 */
export class ClientsFile {
  /** Uses the clients file at `path` (it need not exist before {@link seed}). */
  constructor(readonly path: string) {}

  /**
   * Creates the file with `clients` when it does not exist, atomically: of processes seeding at once, one
   * file wins whole, and an existing file is never overwritten. Returns `true` when this call created it.
   */
  seed(clients: readonly DemoClient[]): boolean {
    if (existsSync(this.path)) return false
    mkdirSync(dirname(this.path), { recursive: true })
    const records = Object.fromEntries(clients.map((c) => [c.apiKey, { name: c.name, plan: c.plan }]))
    const temp = this.writeTemp({ $comment: COMMENT, clients: records })
    try {
      linkSync(temp, this.path) // unlike rename, fails when the file exists
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw error
    } finally {
      rmSync(temp, { force: true })
    }
  }

  /** The client's record as the file says now, or `undefined` when the file has no such API key. */
  get(apiKey: string): ClientRecord | undefined {
    const { clients } = this.read()
    return Object.hasOwn(clients, apiKey) ? clients[apiKey] : undefined
  }

  /** Every client of the file, in its order, as the dashboard lists them (`plan` is `custom` for own quotas). */
  list(): DemoClient[] {
    return Object.entries(this.read().clients).map(([apiKey, record]) => ({
      apiKey,
      name: record.name ?? apiKey,
      plan: record.plan ?? 'custom',
    }))
  }

  /** Gives `apiKey` the plan `change` (a new client is added at the end; an existing one keeps its name and place). */
  setPlan(apiKey: string, change: PlanChange): void {
    const json = this.read()
    const existing = Object.hasOwn(json.clients, apiKey) ? json.clients[apiKey] : undefined
    const record: ClientRecord = { name: existing?.name, ...change }
    const entries = Object.entries(json.clients).filter(([key]) => key !== apiKey)
    const at = existing === undefined ? entries.length : Object.keys(json.clients).indexOf(apiKey)
    entries.splice(at, 0, [apiKey, record])
    this.write({ ...json, clients: Object.fromEntries(entries) })
  }

  private read(): ClientsJson {
    const json: unknown = JSON.parse(readFileSync(this.path, 'utf8'))
    const clients = (json as { clients?: unknown } | null)?.clients
    if (typeof clients !== 'object' || clients === null || Array.isArray(clients)) {
      throw new InvalidArgumentError(
        this.path,
        'expected { "clients": { "<api key>": { "plan": "<name>" } } }',
      )
    }
    for (const [apiKey, record] of Object.entries(clients)) {
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new InvalidArgumentError(`${this.path}: clients.${apiKey}`, 'expected an object')
      }
    }
    return json as ClientsJson
  }

  private write(json: ClientsJson): void {
    const temp = this.writeTemp(json)
    try {
      renameSync(temp, this.path)
    } catch (error) {
      rmSync(temp, { force: true })
      throw error
    }
  }

  /** Writes `json` to a new temp file beside the file (same file system, so a rename is atomic). */
  private writeTemp(json: ClientsJson): string {
    const temp = `${this.path}.${process.pid}-${randomUUID()}.tmp`
    writeFileSync(temp, `${JSON.stringify(json, null, 2)}\n`, { flag: 'wx' })
    return temp
  }
}
