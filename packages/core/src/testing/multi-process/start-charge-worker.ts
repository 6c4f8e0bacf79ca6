import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js'
import type { ChargeWorkerOrder } from './charge-worker-order.js'

/** A running charge worker, seen from the parent. */
export interface ChargeWorker {
  /**
   * Everything the worker wrote to stdout, once it has exited with code 0 or was killed by
   * {@link ChargeWorker.kill}; rejects with its stderr when it exited any other way.
   */
  readonly exited: Promise<string>
  /** The `ack` lines received so far (a `stream` worker writes nothing else). */
  acks(): number
  /** Resolves once `count` acks have arrived; rejects when the worker exits first. */
  untilAcks(count: number): Promise<void>
  /** Kills the worker with SIGKILL, unless it has already exited. */
  kill(): void
}

/** Where and how to run a worker: the script, and Node options before it (e.g. a loader). */
export interface ChargeWorkerScript {
  readonly workerPath: string
  readonly nodeArgs: readonly string[]
}

/** Spawns `node [...nodeArgs] workerPath '<order as JSON>'` and follows its output. */
export function startChargeWorker<T>(script: ChargeWorkerScript, order: ChargeWorkerOrder<T>): ChargeWorker {
  if (!existsSync(script.workerPath)) {
    throw new InvalidArgumentError(
      'workerPath',
      `${script.workerPath} is missing: build the store package first`,
    )
  }
  const child = spawn(process.execPath, [...script.nodeArgs, script.workerPath, JSON.stringify(order)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let acks = 0
  let killed = false
  let waiting: { count: number; resolve: () => void } | undefined
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text
    for (const c of text) if (c === '\n') acks += 1
    if (waiting !== undefined && acks >= waiting.count) waiting.resolve()
  })
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
  })
  const exited = new Promise<string>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0 || (killed && signal === 'SIGKILL')) resolve(stdout)
      else reject(new Error(`charge worker ${script.workerPath} exited with ${code ?? signal}: ${stderr}`))
    })
  })
  exited.catch(() => undefined) // reported by whoever awaits it; never an unhandled rejection
  return {
    exited,
    acks: () => acks,
    untilAcks: (count) =>
      new Promise<void>((resolve, reject) => {
        if (acks >= count) return resolve()
        waiting = { count, resolve }
        exited.then(() => reject(new Error(`the worker exited after ${acks} of ${count} acks`)), reject)
      }),
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return
      killed = true
      child.kill('SIGKILL')
    },
  }
}
