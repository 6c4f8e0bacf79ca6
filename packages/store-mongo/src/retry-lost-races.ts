import { setTimeout as sleep } from 'node:timers/promises'
import { StoreUnavailableError } from '@x/api-billing-core'

/** How many lost races in a row {@link retryLostRaces} runs a step before it gives up: 200. */
export const MAX_ATTEMPTS = 200

/**
 * What a step of {@link retryLostRaces} answers when a concurrent writer changed what it read (a
 * conditional write that did not match, a duplicate key on insert): "lost the race, run me again".
 */
export const LOST_RACE: unique symbol = Symbol('lost race')

/**
 * Runs `step` until it answers something other than {@link LOST_RACE}, and returns that answer.
 * `step` gets the attempt number, counting from 0. After the third attempt every further one waits
 * first for a random pause of up to `min(attempt, 20)` ms (`pause`, default `setTimeout` of
 * `node:timers/promises`), so that racing writers spread out. An error `step` throws propagates
 * unchanged. After {@link MAX_ATTEMPTS} lost races in a row it rejects with `StoreUnavailableError`:
 * `MongoUsageStore: <what> lost 200 races in a row; try again` (`what` names the operation and
 * client, e.g. `charge for client "a"`). It never gives up silently.
 */
export async function retryLostRaces<T>(
  what: string,
  step: (attempt: number) => Promise<T | typeof LOST_RACE>,
  pause: (ms: number) => Promise<void> = (ms) => sleep(ms),
): Promise<T> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 2) await pause(Math.min(attempt, 20) * Math.random())
    const answer = await step(attempt)
    if (answer !== LOST_RACE) return answer
  }
  throw new StoreUnavailableError(`MongoUsageStore: ${what} lost ${MAX_ATTEMPTS} races in a row; try again`)
}
