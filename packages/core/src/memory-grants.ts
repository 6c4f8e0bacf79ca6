import {
  compareGrants,
  type GrantRequest,
  type GrantSpend,
  isSpendable,
  type StoredGrant,
} from './credit-grant.js'

interface MemoryGrant {
  grant: StoredGrant
  voided: boolean
  readonly idempotencyKey: string | undefined
}

/** The memory store's prepaid grants, per client in spending order. */
export class MemoryGrants {
  private readonly byClient = new Map<string, MemoryGrant[]>()

  /** Stores a grant, or returns the client's grant made with the same idempotency key. */
  add(request: GrantRequest): StoredGrant {
    const { clientId, grant, idempotencyKey } = request
    const grants = this.byClient.get(clientId) ?? []
    if (idempotencyKey !== undefined) {
      const seen = grants.find((g) => g.idempotencyKey === idempotencyKey)
      if (seen !== undefined) return seen.grant
    }
    grants.push({ grant, voided: false, idempotencyKey })
    grants.sort((a, b) => compareGrants(a.grant, b.grant))
    this.byClient.set(clientId, grants)
    return grant
  }

  /** The client's grants not voided, not used up and not expired at `now`, in spending order. */
  list(clientId: string, now: number): StoredGrant[] {
    const live: StoredGrant[] = []
    for (const g of this.byClient.get(clientId) ?? []) {
      const { grant } = g
      if (!g.voided && grant.remaining > 0 && (grant.expiresAt === undefined || now < grant.expiresAt)) {
        live.push(grant)
      }
    }
    return live
  }

  /** The client's grants that may be spent at `at`, in spending order. */
  spendable(clientId: string, at: number): StoredGrant[] {
    const grants = this.byClient.get(clientId)
    if (grants === undefined) return []
    return grants.filter((g) => !g.voided && isSpendable(g.grant, at)).map((g) => g.grant)
  }

  /** Marks a grant voided; `true` when it existed and was not voided before. */
  void(clientId: string, grantId: string): boolean {
    const found = this.byClient.get(clientId)?.find((g) => g.grant.id === grantId)
    if (found === undefined || found.voided) return false
    found.voided = true
    return true
  }

  /** Takes what `spent` says from each grant. */
  spend(clientId: string, spent: readonly GrantSpend[]): void {
    for (const s of spent) this.change(clientId, s, -s.credits, Number.NEGATIVE_INFINITY)
  }

  /** Gives back what `restore` says to each grant that is not voided and has not expired at `now`. */
  restore(clientId: string, restore: readonly GrantSpend[], now: number): void {
    for (const s of restore) this.change(clientId, s, s.credits, now)
  }

  /** Forgets grants that expired at or before `before`. */
  purge(before: number): void {
    for (const [clientId, grants] of this.byClient) {
      const kept = grants.filter((g) => g.grant.expiresAt === undefined || g.grant.expiresAt > before)
      if (kept.length === 0) this.byClient.delete(clientId)
      else this.byClient.set(clientId, kept)
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.byClient.clear()
  }

  private change(clientId: string, spend: GrantSpend, delta: number, now: number): void {
    const found = this.byClient.get(clientId)?.find((g) => g.grant.id === spend.grantId)
    if (found === undefined || found.voided) return
    const { grant } = found
    if (grant.expiresAt !== undefined && grant.expiresAt <= now) return
    const remaining = Math.min(grant.credits, Math.max(0, grant.remaining + delta))
    found.grant = { ...grant, remaining }
  }
}
