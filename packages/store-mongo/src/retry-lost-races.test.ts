import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { StoreUnavailableError } from '@x/api-billing-core'
import { LOST_RACE, MAX_ATTEMPTS, retryLostRaces } from './retry-lost-races.js'

/** A step that loses `losses` races, then answers `answer`; records the attempt numbers it was given. */
function losing<T>(losses: number, answer: T) {
  const attempts: number[] = []
  const step = async (attempt: number): Promise<T | typeof LOST_RACE> => {
    attempts.push(attempt)
    return attempts.length > losses ? answer : LOST_RACE
  }
  return { attempts, step }
}

/** A pause that only records how long it was asked to wait, and before which attempt. */
function recordingPause(attempts: readonly number[]) {
  const pauses: { beforeAttempt: number; ms: number }[] = []
  const pause = async (ms: number) => {
    pauses.push({ beforeAttempt: attempts.length, ms })
  }
  return { pauses, pause }
}

describe('retryLostRaces', () => {
  afterEach(() => {
    jest.restoreAllMocks()
  })

  it('returns the first answer that is not a lost race, without running the step again', async () => {
    const { attempts, step } = losing(2, 'charged')
    const { pause } = recordingPause(attempts)
    await expect(retryLostRaces('charge for client "a"', step, pause)).resolves.toBe('charged')
    expect(attempts).toHaveLength(3)
  })

  it('returns falsy answers (undefined, 0) as answers, not as lost races', async () => {
    const none = losing(0, undefined)
    await expect(retryLostRaces('x', none.step, async () => {})).resolves.toBeUndefined()
    expect(none.attempts).toEqual([0])
    const zero = losing(1, 0)
    await expect(retryLostRaces('x', zero.step, async () => {})).resolves.toBe(0)
    expect(zero.attempts).toEqual([0, 1])
  })

  it('passes the attempt number, counting from 0', async () => {
    const { attempts, step } = losing(5, true)
    await retryLostRaces('x', step, async () => {})
    expect(attempts).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('pauses only after the third attempt, before each later one, never longer than min(attempt, 20) ms', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999)
    const { attempts, step } = losing(40, 'ok')
    const { pauses, pause } = recordingPause(attempts)
    await retryLostRaces('x', step, pause)
    expect(pauses.map((p) => p.beforeAttempt)).toEqual(attempts.slice(3))
    for (const { beforeAttempt, ms } of pauses) {
      expect(ms).toBeGreaterThan(0)
      expect(ms).toBeLessThanOrEqual(Math.min(beforeAttempt, 20))
    }
    expect(Math.max(...pauses.map((p) => p.ms))).toBeCloseTo(20, 3)
  })

  it('waits for each pause to end before the next attempt', async () => {
    let pausing = false
    const ranWhilePausing: number[] = []
    const step = async (attempt: number) => {
      if (pausing) ranWhilePausing.push(attempt)
      return attempt < 10 ? LOST_RACE : 'ok'
    }
    const pause = async () => {
      pausing = true
      for (let i = 0; i < 5; i++) await Promise.resolve()
      pausing = false
    }
    await expect(retryLostRaces('x', step, pause)).resolves.toBe('ok')
    expect(ranWhilePausing).toEqual([])
  })

  it('does not pause when the step wins within three attempts', async () => {
    const { attempts, step } = losing(2, 'ok')
    const { pauses, pause } = recordingPause(attempts)
    await retryLostRaces('x', step, pause)
    expect(pauses).toEqual([])
  })

  it('lets an error the step throws propagate unchanged, without another attempt', async () => {
    const failure = new Error('server gone')
    let calls = 0
    const step = async (): Promise<never> => {
      calls++
      throw failure
    }
    await expect(retryLostRaces('x', step, async () => {})).rejects.toBe(failure)
    expect(calls).toBe(1)
  })

  it(`rejects with StoreUnavailableError naming what lost after ${MAX_ATTEMPTS} lost races`, async () => {
    expect(MAX_ATTEMPTS).toBe(200)
    const { attempts, step } = losing(Number.POSITIVE_INFINITY, 'never')
    const { pauses, pause } = recordingPause(attempts)
    const failure = await retryLostRaces('refund for client "a"', step, pause).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect((failure as StoreUnavailableError).message).toBe(
      'MongoUsageStore: refund for client "a" lost 200 races in a row; try again',
    )
    expect(attempts).toHaveLength(200)
    expect(pauses).toHaveLength(197)
  })
})
