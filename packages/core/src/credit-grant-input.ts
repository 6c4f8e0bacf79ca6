import type { StoredGrant } from './credit-grant.js'
import type { CreditScale } from './credit-scale.js'
import { InvalidArgumentError } from './errors/invalid-argument-error.js'
import { describeValue, toEpochMs } from './validate.js'

/** A grant of prepaid credits, as `ApiBilling` hands it out. */
export interface CreditGrant {
  /** The grant's id (for `voidGrant`). */
  readonly id: string
  /** Credits granted. */
  readonly credits: number
  /** Credits not spent yet. */
  readonly remaining: number
  /** When the grant may first be spent. */
  readonly effectiveAt: Date
  /** When it can no longer be spent (exclusive); absent: never. */
  readonly expiresAt?: Date
  /** When it was granted. */
  readonly grantedAt: Date
  /** The note given with it; absent: none. */
  readonly note?: string
}

/** Options of `ApiBilling.grantCredits`. */
export interface GrantOptions {
  /** When the credits expire (exclusive). Default: never. */
  readonly expiresAt?: Date
  /** When the credits may first be spent. Default: now. */
  readonly effectiveAt?: Date
  /** Makes the grant once: the same key for the same client returns the first grant. Default: none. */
  readonly idempotencyKey?: string
  /** Free text kept with the grant (at most 1000 characters). Default: none. */
  readonly note?: string
}

/** The longest note a grant keeps. */
const MAX_NOTE = 1000

/**
 * The grant `ApiBilling.grantCredits` stores: validated, in `scale`'s units, with a new id.
 * @throws InvalidArgumentError for non-positive or too fine credits, bad dates, an expiry not after the
 * start, an empty key or a note that is not a string or too long.
 */
export function toStoredGrant(
  credits: number,
  options: GrantOptions,
  now: number,
  scale: CreditScale,
): StoredGrant {
  const units = scale.toUnits(credits, 'credits')
  if (units === 0) throw new InvalidArgumentError('credits', 'a grant holds at least some credits, got 0')
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`)
  }
  const effectiveAt =
    options.effectiveAt === undefined ? now : toEpochMs(options.effectiveAt, 'options.effectiveAt')
  const expiresAt =
    options.expiresAt === undefined ? undefined : toEpochMs(options.expiresAt, 'options.expiresAt')
  if (expiresAt !== undefined && expiresAt <= effectiveAt) {
    throw new InvalidArgumentError('options.expiresAt', 'must be after effectiveAt (default: now)')
  }
  const { note, idempotencyKey } = options
  if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE)) {
    throw new InvalidArgumentError('options.note', `expected a string of at most ${MAX_NOTE} characters`)
  }
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0)) {
    throw new InvalidArgumentError(
      'options.idempotencyKey',
      `expected a non-empty string, got ${describeValue(idempotencyKey)}`,
    )
  }
  return {
    id: `grant_${globalThis.crypto.randomUUID()}`,
    credits: units,
    remaining: units,
    effectiveAt,
    expiresAt,
    grantedAt: now,
    note,
  }
}

/** A stored grant as `ApiBilling` hands it out: Dates and credits. */
export function toCreditGrant(grant: StoredGrant, scale: CreditScale): CreditGrant {
  return {
    id: grant.id,
    credits: scale.toCredits(grant.credits),
    remaining: scale.toCredits(grant.remaining),
    effectiveAt: new Date(grant.effectiveAt),
    ...(grant.expiresAt === undefined ? {} : { expiresAt: new Date(grant.expiresAt) }),
    grantedAt: new Date(grant.grantedAt),
    ...(grant.note === undefined ? {} : { note: grant.note }),
  }
}
