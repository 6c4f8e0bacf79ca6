/** How many times a transaction that lost a deadlock or serialization race is run in total. */
const MAX_ATTEMPTS = 10

/**
 * `true` for errors that mean "run the transaction again": Postgres deadlock (`40P01`) and
 * serialization failure (`40001`), MySQL/MariaDB deadlock (errno 1213, `ER_LOCK_DEADLOCK`).
 */
export function isConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, errno } = error as { code?: unknown; errno?: unknown }
  return code === '40P01' || code === '40001' || errno === 1213 || code === 'ER_LOCK_DEADLOCK'
}

/**
 * Runs `attempt` and runs it again (after a short random pause that grows with each try) when it fails
 * with a deadlock or serialization conflict, which the database has already rolled back. Gives up
 * after 10 attempts and throws the last error.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (tries >= MAX_ATTEMPTS || !isConflict(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** tries))
    }
  }
}
