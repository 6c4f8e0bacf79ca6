import { writeSync } from 'node:fs'

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Writes all of `text` to `fd` before returning. A child's stdout pipe may be non-blocking: when the
 * parent reads more slowly than the worker acknowledges (the pipe holds 64 KiB, 16 384 `ack` lines),
 * `writeSync` throws `EAGAIN` or writes part; this waits 1 ms and writes the rest.
 */
export function writeAllSync(fd: number, text: string): void {
  let rest = Buffer.from(text)
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
      Atomics.wait(pause, 0, 0, 1)
    }
  }
}
